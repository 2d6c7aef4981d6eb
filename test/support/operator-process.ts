import { spawn, type ChildProcess } from "node:child_process";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { collectJsonLines, type LogLine } from "./json-lines.ts";
import { until } from "./until.ts";

const repo = fileURLToPath(new URL("../../", import.meta.url));
const cli = fileURLToPath(new URL("../../bin/processgroup.js", import.meta.url));

/** Node 24 from devDependencies (it runs the TypeScript sources), else the one running us. */
function nodeBinary(): string {
  const local = `${repo}node_modules/.bin/node`;
  return existsSync(local) ? local : process.execPath;
}

export type { LogLine } from "./json-lines.ts";

/** The arguments that point `processgroup operator` at a kubeconfig, with an ephemeral loopback metrics port. */
export function operatorArgs(kubeconfig: string, identity: string, args: readonly string[]): string[] {
  return ["operator", "--kubeconfig", kubeconfig, "--identity", identity, "--metrics-port", "0", "--bind-address", "127.0.0.1", ...args];
}

/**
 * `processgroup <argv>` as a child process, the way a pod's container runs it; its JSON log
 * lines are kept. Independent of any test runner, so benchmarks start the operator the same way.
 */
export class OperatorProcess {
  readonly lines: LogLine[] = [];
  readonly identity: string;
  readonly #child: ChildProcess;
  readonly #exited: Promise<number | null>;
  #stderr = "";

  constructor(identity: string, argv: readonly string[], env: NodeJS.ProcessEnv = process.env) {
    this.identity = identity;
    this.#child = spawn(nodeBinary(), [cli, ...argv], { stdio: ["ignore", "pipe", "pipe"], cwd: repo, env });
    if (this.#child.stdout) collectJsonLines(this.#child.stdout, this.lines);
    this.#child.stderr?.setEncoding("utf8").on("data", (chunk: string) => (this.#stderr += chunk));
    this.#exited = new Promise((resolve) => this.#child.once("exit", (code) => resolve(code)));
  }

  get stderr(): string {
    return this.#stderr;
  }

  /** The operator's own pid (bin/processgroup.js runs it in this very process, no wrapper). */
  get pid(): number | undefined {
    return this.#child.pid;
  }

  get running(): boolean {
    return this.#child.exitCode === null && this.#child.signalCode === null;
  }

  /** Waits for a log line with this message (and fields). */
  logged(msg: string, timeoutMs = 30_000, fields: Record<string, unknown> = {}): Promise<LogLine> {
    return until(`${this.identity} to log "${msg}"`, timeoutMs, async () => {
      const line = this.lines.find((l) => l.msg === msg && Object.entries(fields).every(([k, v]) => l[k] === v));
      if (line === undefined && this.#child.exitCode !== null) {
        throw new Error(`${this.identity} exited with ${this.#child.exitCode}: ${this.#stderr}\n${JSON.stringify(this.lines.slice(-20))}`);
      }
      return line;
    });
  }

  async port(): Promise<number> {
    const started = await this.logged("operator started");
    return Number(started["port"]);
  }

  async get(path: string): Promise<{ status: number; body: string }> {
    const response = await fetch(`http://127.0.0.1:${await this.port()}${path}`);
    return { status: response.status, body: await response.text() };
  }

  /** Sends a signal and resolves with the exit code. */
  async stop(signal: NodeJS.Signals = "SIGTERM"): Promise<number | null> {
    if (this.#child.exitCode === null) this.#child.kill(signal);
    return this.#exited;
  }

  /** Never leave a child behind (afterAll, a failed benchmark). */
  kill(): void {
    if (this.running) this.#child.kill("SIGKILL");
  }
}
