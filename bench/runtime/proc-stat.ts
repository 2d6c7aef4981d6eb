// Parses Linux's /proc/<pid>/stat line (proc(5)). Pure.

export interface ProcStat {
  readonly pid: number;
  readonly ppid: number;
  /** User + system CPU time of the process (all its threads), in clock ticks. */
  readonly cpuTicks: number;
  /** Start time after boot in clock ticks: with the pid, it names one process even if the pid is reused. */
  readonly startTicks: number;
  readonly rssPages: number;
}

/** Clock ticks per second of /proc's times (USER_HZ): 100 on every Linux architecture in use. */
export const CLOCK_TICKS_PER_SECOND = 100;

export function parseProcStat(text: string): ProcStat {
  // The command name is in parentheses and may itself hold spaces and parentheses: the
  // fields after it start after the last ')'.
  const close = text.lastIndexOf(")");
  const open = text.indexOf("(");
  if (open < 1 || close < open) throw new SyntaxError(`not a /proc stat line: ${JSON.stringify(text.slice(0, 80))}`);
  const pid = Number(text.slice(0, open).trim());
  // fields[0] is field 3 (state) of proc(5).
  const fields = text.slice(close + 1).trim().split(/\s+/);
  const field = (n: number): number => {
    const value = Number(fields[n - 3]);
    if (!Number.isInteger(value) || value < 0) throw new SyntaxError(`/proc stat field ${n} is not a count: ${JSON.stringify(fields[n - 3])}`);
    return value;
  };
  if (!Number.isInteger(pid) || pid < 1) throw new SyntaxError(`/proc stat pid is not a number: ${JSON.stringify(text.slice(0, open))}`);
  return { pid, ppid: field(4), cpuTicks: field(14) + field(15), startTicks: field(22), rssPages: field(24) };
}

/** Nanoseconds a task has run on a CPU: the first field of /proc/<pid>/task/<tid>/schedstat. */
export function parseSchedstatRunNanos(text: string): number {
  const first = text.trim().split(/\s+/)[0];
  const value = Number(first);
  if (first === undefined || first === "" || !Number.isInteger(value) || value < 0) throw new SyntaxError(`not a schedstat line: ${JSON.stringify(text.slice(0, 80))}`);
  return value;
}

/** The pids listed in /proc/<pid>/task/<tid>/children: space-separated. */
export function parseChildren(text: string): number[] {
  return text
    .split(/\s+/)
    .filter((s) => s !== "")
    .map(Number)
    .filter((n) => Number.isInteger(n) && n > 0);
}
