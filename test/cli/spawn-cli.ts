import { spawn, type ChildProcess } from "node:child_process";
import { fileURLToPath } from "node:url";
import { collectJsonLines, type LogLine } from "../support/json-lines.ts";
import { until } from "../support/until.ts";

export { isAlive } from "../support/is-alive.ts";

const bin = fileURLToPath(new URL("../../bin/processgroup.js", import.meta.url));

export interface Running {
  readonly child: ChildProcess;
  readonly logs: LogLine[];
  /** stdout as written, for checks of the raw lines. */
  stdout(): string;
  stderr(): string;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  waitForLog(what: string, match: (line: LogLine) => boolean, timeoutMs?: number): Promise<LogLine>;
  /** SIGKILL if still running (test clean-up). */
  kill(): void;
}

/** Starts `processgroup ARGS` as a user would and keeps it running; stdout is parsed as JSON lines. */
export function startCli(args: readonly string[], options: { env?: Record<string, string>; input?: string } = {}): Running {
  const child = spawn(process.execPath, [bin, ...args], { env: { ...process.env, ...options.env }, stdio: ["pipe", "pipe", "pipe"] });
  child.stdin!.end(options.input ?? "");
  const logs: LogLine[] = [];
  let stdout = "";
  let stderr = "";
  child.stdout!.setEncoding("utf8").on("data", (d: string) => (stdout += d));
  collectJsonLines(child.stdout!, logs);
  child.stderr!.setEncoding("utf8").on("data", (d: string) => (stderr += d));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.on("exit", (code, signal) => resolve({ code, signal })));
  return {
    child,
    logs,
    stdout: () => stdout,
    stderr: () => stderr,
    exited,
    waitForLog: (what, match, timeoutMs = 30_000) => until(what, timeoutMs, () => logs.find(match)),
    kill: () => {
      if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
    },
  };
}

/** No line of `text` looks like a stack frame. */
export function hasStackTrace(text: string): boolean {
  return /^\s+at .+:\d+:\d+/m.test(text) || /ERR_[A-Z_]+/.test(text);
}
