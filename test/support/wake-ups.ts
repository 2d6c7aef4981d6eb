import { readdir, readFile } from "node:fs/promises";

/**
 * Context switches of every thread of a process so far (Linux): each one is a wake-up, so
 * the difference over an idle second says how often the process's timers ran.
 */
export async function wakeUps(pid: number): Promise<number> {
  let total = 0;
  for (const task of await readdir(`/proc/${pid}/task`)) {
    // A thread that exited between the listing and the read has nothing more to count.
    const status = await readFile(`/proc/${pid}/task/${task}/status`, "utf8").catch(() => "");
    for (const kind of ["voluntary_ctxt_switches", "nonvoluntary_ctxt_switches"]) total += Number(new RegExp(`^${kind}:\\s+(\\d+)`, "m").exec(status)?.[1] ?? 0);
  }
  return total;
}
