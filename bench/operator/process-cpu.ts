import { execFileSync } from "node:child_process";
import { readFile } from "node:fs/promises";
import { z } from "zod";

const ticks = z.coerce.number().int().nonnegative();

/**
 * User + system CPU time, in clock ticks, from the text of /proc/<pid>/stat. The command
 * name (field 2) may hold spaces and parentheses, so fields are counted from the last ')'.
 */
export function parseProcStatCpuTicks(text: string): number {
  const fields = text.slice(text.lastIndexOf(")") + 2).split(" ");
  // Fields 14 and 15 of the file (utime, stime) are 11 and 12 after the name.
  return ticks.parse(fields[11]) + ticks.parse(fields[12]);
}

let ticksPerSecond: number | undefined;

function clockTicksPerSecond(): number {
  ticksPerSecond ??= Number.parseInt(execFileSync("getconf", ["CLK_TCK"], { encoding: "utf8" }).trim(), 10) || 100;
  return ticksPerSecond;
}

/** CPU seconds a process has used so far. Under a shared, noisy machine this stays honest where wall time does not. */
export async function cpuSeconds(pid: number): Promise<number> {
  return parseProcStatCpuTicks(await readFile(`/proc/${pid}/stat`, "utf8")) / clockTicksPerSecond();
}

export type CpuSnapshot = Readonly<Record<string, number>>;

/** CPU seconds of each named process now. */
export async function cpuSnapshot(pids: Readonly<Record<string, number>>): Promise<CpuSnapshot> {
  const entries = await Promise.all(Object.entries(pids).map(async ([name, pid]) => [name, await cpuSeconds(pid)] as const));
  return Object.fromEntries(entries);
}

/** CPU seconds each process used between two snapshots. */
export function cpuBetween(before: CpuSnapshot, after: CpuSnapshot): Record<string, number> {
  return Object.fromEntries(Object.entries(after).map(([name, seconds]) => [name, seconds - (before[name] ?? seconds)]));
}
