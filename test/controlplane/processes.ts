import { spawn } from "node:child_process";
import { closeSync, openSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { z } from "zod";
import type { Progress } from "./progress.ts";

/**
 * What we need to find a process we started again, possibly from another Node process
 * (`cluster:down` after `cluster:up`): the pid, plus the kernel's start time of that pid,
 * so a recycled pid that now belongs to someone else is never signalled.
 */
export const processRecordSchema = z.object({
  name: z.string(),
  pid: z.number().int().positive(),
  startTime: z.string().nullable(),
  binary: z.string(),
  logFile: z.string(),
});
export type ProcessRecord = z.infer<typeof processRecordSchema>;

export interface StartedProcess {
  record: ProcessRecord;
  /** Settles when the process exits; start-up races readiness against it to fail fast. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

export interface ProcessSpec {
  name: string;
  binary: string;
  args: readonly string[];
  logDir: string;
  /** Detached processes outlive this Node process (the cluster:up case). */
  detached: boolean;
}

/** Reads field 22 of /proc/<pid>/stat; null where there is no procfs (macOS). */
function kernelStartTime(pid: number): string | null | "gone" {
  let stat: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  } catch (error) {
    if (error instanceof Error && "code" in error && error.code === "ENOENT") {
      return readable("/proc/self/stat") ? "gone" : null;
    }
    throw error;
  }
  // The command name (field 2) may contain spaces and parentheses, so count from the last ')'.
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  if (fields[0] === "Z") return "gone"; // a zombie has exited and is only waiting to be reaped
  return fields[19] ?? null;
}

function readable(path: string): boolean {
  try {
    readFileSync(path);
    return true;
  } catch {
    return false;
  }
}

export function isRunning(record: ProcessRecord): boolean {
  const startTime = kernelStartTime(record.pid);
  if (startTime === "gone") return false;
  if (startTime !== null && record.startTime !== null) return startTime === record.startTime;
  try {
    process.kill(record.pid, 0);
    return true;
  } catch {
    return false;
  }
}

export function startProcess(spec: ProcessSpec): StartedProcess {
  const logFile = join(spec.logDir, `${spec.name}.log`);
  const fd = openSync(logFile, "a");
  try {
    const child = spawn(spec.binary, spec.args, { stdio: ["ignore", fd, fd], detached: spec.detached });
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
      child.once("exit", (code, signal) => resolve({ code, signal }));
      child.once("error", () => resolve({ code: null, signal: null }));
    });
    if (child.pid === undefined) {
      throw new Error(`could not start ${spec.name} (${spec.binary})`);
    }
    if (spec.detached) child.unref();
    const startTime = kernelStartTime(child.pid);
    return {
      record: {
        name: spec.name,
        pid: child.pid,
        startTime: startTime === "gone" ? null : startTime,
        binary: spec.binary,
        logFile,
      },
      exited,
    };
  } finally {
    closeSync(fd);
  }
}

async function waitUntilGone(record: ProcessRecord, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (!isRunning(record)) return true;
    await sleep(50);
  }
  return !isRunning(record);
}

function signal(record: ProcessRecord, name: NodeJS.Signals): void {
  try {
    process.kill(record.pid, name);
  } catch {
    // it exited between the check and the signal
  }
}

/**
 * Stops the given processes one after the other, last started first (controllers before
 * the apiserver, the apiserver before etcd), each with SIGTERM and then SIGKILL after a
 * grace period. Only recorded pids whose start time still matches are signalled.
 */
export async function stopProcesses(records: readonly ProcessRecord[], progress: Progress, graceMs = 10_000): Promise<void> {
  for (const record of [...records].reverse()) {
    if (!isRunning(record)) continue;
    signal(record, "SIGTERM");
    if (await waitUntilGone(record, graceMs)) continue;
    progress(`${record.name} (pid ${record.pid}) ignored SIGTERM for ${graceMs / 1000}s; killing it`);
    signal(record, "SIGKILL");
    await waitUntilGone(record, 5_000);
  }
}

/** Last resort from a synchronous `exit` handler: no waiting possible, so SIGKILL at once. */
export function killNow(records: readonly ProcessRecord[]): void {
  for (const record of records) if (isRunning(record)) signal(record, "SIGKILL");
}

/** The end of a log, to put the reason for a failed start-up into the error message. */
export function logTail(record: ProcessRecord, lines = 25): string {
  try {
    return readFileSync(record.logFile, "utf8").trimEnd().split("\n").slice(-lines).join("\n");
  } catch {
    return "(no log)";
  }
}
