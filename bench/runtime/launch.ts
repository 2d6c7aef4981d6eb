// Starting a server process, keeping the tail of what it prints (for the reason it failed), and
// stopping it together with every process it started, by pid.
import { spawn, type ChildProcess } from "node:child_process";
import { setTimeout as sleep } from "node:timers/promises";
import { snapshotTree, stillRunning } from "./process-tree.ts";

const TAIL_LINES = 30;

export interface Launched {
  readonly child: ChildProcess;
  readonly pid: number;
  /** Resolves when the root process exits. */
  readonly exited: Promise<void>;
  hasExited(): boolean;
  /** The last lines it printed, stdout and stderr interleaved. */
  tail(): string;
  /** Calls `listener` with every complete stdout line from now on. */
  onLine(listener: (line: string) => void): void;
}

export function launch(command: string, args: readonly string[], options: { env?: NodeJS.ProcessEnv; cwd?: string } = {}): Launched {
  const child = spawn(command, args, { stdio: ["ignore", "pipe", "pipe"], env: options.env ?? process.env, cwd: options.cwd });
  const lines: string[] = [];
  const listeners: ((line: string) => void)[] = [];
  let exited = false;
  const remember = (line: string) => {
    lines.push(line);
    if (lines.length > TAIL_LINES) lines.shift();
  };
  // Both pipes are read for the whole life of the server: a full pipe would stall it.
  let partial = "";
  child.stdout!.setEncoding("utf8").on("data", (data: string) => {
    const parts = (partial + data).split("\n");
    partial = parts.pop() ?? "";
    for (const line of parts) {
      remember(line);
      for (const listener of listeners) listener(line);
    }
  });
  child.stderr!.setEncoding("utf8").on("data", (data: string) => {
    for (const line of data.split("\n")) if (line !== "") remember(line);
  });
  const done = new Promise<void>((resolve) => {
    child.once("exit", () => {
      exited = true;
      resolve();
    });
    child.once("error", (error) => {
      remember(`cannot start ${command}: ${error.message}`);
      exited = true;
      resolve();
    });
  });
  return {
    child,
    pid: child.pid ?? -1,
    exited: done,
    hasExited: () => exited,
    tail: () => lines.join("\n"),
    onLine: (listener) => listeners.push(listener),
  };
}

/**
 * SIGTERM to the root (every server here stops its own children on it), then, after
 * `graceMs`, SIGKILL to whatever of the tree is still the process we saw.
 */
export async function stopTree(launched: Launched, graceMs = 10_000): Promise<void> {
  if (launched.hasExited() || launched.pid < 0) return;
  const tree = await snapshotTree(launched.pid);
  launched.child.kill("SIGTERM");
  await Promise.race([launched.exited, sleep(graceMs, undefined, { ref: false })]);
  for (const process of tree.processes) {
    if (await stillRunning(process)) {
      try {
        globalThis.process.kill(process.pid, "SIGKILL");
      } catch {
        // gone between the check and the signal
      }
    }
  }
  await Promise.race([launched.exited, sleep(2_000, undefined, { ref: false })]);
}
