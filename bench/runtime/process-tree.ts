// A server's process tree read from /proc: the root we started and every descendant (cluster
// workers, mod_wsgi daemons, Apache's children, PM2's instances), with their memory and CPU.
import { execFileSync } from "node:child_process";
import { readdir, readFile } from "node:fs/promises";
import { CLOCK_TICKS_PER_SECOND, parseChildren, parseProcStat, parseSchedstatRunNanos, type ProcStat } from "./proc-stat.ts";

function pageSize(): number {
  try {
    const size = Number(execFileSync("getconf", ["PAGESIZE"], { encoding: "utf8" }).trim());
    return Number.isInteger(size) && size > 0 ? size : 4096;
  } catch {
    return 4096;
  }
}

const PAGE_SIZE = pageSize();

export async function statOf(pid: number): Promise<ProcStat | undefined> {
  try {
    return parseProcStat(await readFile(`/proc/${pid}/stat`, "utf8"));
  } catch {
    return undefined; // it exited meanwhile
  }
}

async function childrenOf(pid: number): Promise<number[]> {
  let tasks: string[];
  try {
    tasks = await readdir(`/proc/${pid}/task`);
  } catch {
    return [];
  }
  const lists = await Promise.all(tasks.map((tid) => readFile(`/proc/${pid}/task/${tid}/children`, "utf8").catch(() => "")));
  return lists.flatMap(parseChildren);
}

export interface TreeSnapshot {
  readonly processes: readonly ProcStat[];
  /** Sum of RSS over the tree; pages shared between processes count in each, as `ps` shows them. */
  readonly rssBytes: number;
}

export async function snapshotTree(root: number): Promise<TreeSnapshot> {
  const processes: ProcStat[] = [];
  const seen = new Set<number>();
  let frontier = [root];
  while (frontier.length > 0) {
    const stats = await Promise.all(frontier.map(statOf));
    const alive = stats.filter((s): s is ProcStat => s !== undefined && !seen.has(s.pid));
    for (const s of alive) seen.add(s.pid);
    processes.push(...alive);
    frontier = (await Promise.all(alive.map((s) => childrenOf(s.pid)))).flat();
  }
  return {
    processes,
    rssBytes: processes.reduce((sum, p) => sum + p.rssPages * PAGE_SIZE, 0),
  };
}

/** CPU time of one process: its threads' run time from schedstat, or its tick-sampled time without it. */
async function runSecondsOf(process: ProcStat): Promise<number> {
  const tasks = await readdir(`/proc/${process.pid}/task`).catch(() => [] as string[]);
  try {
    const nanos = await Promise.all(tasks.map(async (tid) => parseSchedstatRunNanos(await readFile(`/proc/${process.pid}/task/${tid}/schedstat`, "utf8"))));
    return nanos.reduce((sum, n) => sum + n, 0) / 1e9;
  } catch {
    return process.cpuTicks / CLOCK_TICKS_PER_SECOND;
  }
}

/**
 * CPU time (user + system) the tree's live processes have used. From the scheduler's run time
 * of each thread rather than /proc's utime/stime: those are sampled at the timer tick, which
 * over-bills a process woken by timers (the 10 ms I/O workload) as it runs just when ticks fire.
 */
export async function treeCpuSeconds(root: number): Promise<number> {
  const { processes } = await snapshotTree(root);
  const seconds = await Promise.all(processes.map(runSecondsOf));
  return seconds.reduce((sum, s) => sum + s, 0);
}

/** Whether `process` (as seen in a snapshot) is still the same process: its pid was not reused. */
export async function stillRunning(process: ProcStat): Promise<boolean> {
  const now = await statOf(process.pid);
  return now !== undefined && now.startTicks === process.startTicks;
}
