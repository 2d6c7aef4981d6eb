import { spawn, type ChildProcess } from "node:child_process";
import { execFile } from "node:child_process";
import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { collectJsonLines, type LogLine } from "../../support/json-lines.ts";
import { until } from "./harness.ts";

const CLI = fileURLToPath(new URL("../../../bin/processgroup.js", import.meta.url));

export interface Spawned {
  readonly child: ChildProcess;
  readonly logs: LogLine[];
  stderr(): string;
  readonly exited: Promise<number | null>;
  waitForLog(what: string, match: (line: LogLine) => boolean, timeoutMs?: number): Promise<LogLine>;
}

/** Runs `processgroup ARGS` with Node 24 (the test's own node), collecting its JSON log lines. */
export function spawnCli(args: readonly string[], env: Record<string, string> = {}): Spawned {
  const child = spawn(process.execPath, [CLI, ...args], { env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"] });
  const logs: LogLine[] = [];
  let stderr = "";
  collectJsonLines(child.stdout!, logs);
  child.stderr!.setEncoding("utf8").on("data", (data: string) => (stderr += data));
  const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
  return {
    child,
    logs,
    stderr: () => stderr,
    exited,
    waitForLog: (what, match, timeoutMs = 30_000) => until(what, timeoutMs, () => logs.find(match)),
  };
}

/** Writes a ProcessGroup YAML into a fresh folder and returns the file's path. */
export async function groupFile(yaml: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), "pg-serve-"));
  const file = join(dir, "group.yaml");
  await writeFile(file, yaml);
  return file;
}

/** The command line `ps` shows for a process: its title. */
export async function titleOf(pid: number): Promise<string> {
  const { stdout } = await promisify(execFile)("ps", ["-o", "args=", "-p", String(pid)]);
  return stdout.trim();
}

/** The URLs of a `serve` that is ready, and the command itself. */
export interface Served {
  readonly served: Spawned;
  readonly url: string;
  readonly adminUrl: string;
}

/** Runs `processgroup serve -f FILE` on free ports until `use` ends, from the moment it is ready. */
export async function withServed<T>(file: string, use: (served: Served) => Promise<T>): Promise<T> {
  const served = spawnCli(["serve", "-f", file, "--port", "0", "--admin-port", "0"]);
  try {
    const serving = await served.waitForLog("serving", (l) => l.msg === "serving");
    const adminUrl = `http://127.0.0.1:${String(serving["adminPort"])}`;
    await waitReady(adminUrl);
    return await use({ served, url: `http://127.0.0.1:${String(serving["port"])}`, adminUrl });
  } finally {
    served.child.kill("SIGKILL");
  }
}

export async function waitReady(adminUrl: string): Promise<void> {
  await until(`${adminUrl}/readyz`, 60_000, async () => ((await fetch(`${adminUrl}/readyz`).catch(() => undefined))?.status === 200 ? true : undefined));
}
