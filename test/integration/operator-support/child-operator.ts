import { spawn, type ChildProcess } from "node:child_process";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { controlPlane } from "../support/control-plane.ts";
import { collectJsonLines, type LogLine } from "../../support/json-lines.ts";
import { until } from "../../support/until.ts";

const repo = fileURLToPath(new URL("../../../", import.meta.url));
const cli = fileURLToPath(new URL("../../../bin/processgroup.js", import.meta.url));

/** Node 24 from devDependencies (it runs the TypeScript sources), else the one running the tests. */
function nodeBinary(): string {
  const local = `${repo}node_modules/.bin/node`;
  return existsSync(local) ? local : process.execPath;
}

export type { LogLine } from "../../support/json-lines.ts";

/** `processgroup operator` as a child process, as it runs in a pod; its JSON log lines are kept. */
export class ChildOperator {
  readonly lines: LogLine[] = [];
  readonly identity: string;
  readonly #child: ChildProcess;
  readonly #exited: Promise<number | null>;
  #stderr = "";

  /**
   * With `asDeployed`, runs exactly `processgroup <args>` in `env`, the way a pod's container
   * would; otherwise adds the test cluster's kubeconfig, the identity and an ephemeral port.
   */
  constructor(identity: string, args: readonly string[], asDeployed?: { readonly env: NodeJS.ProcessEnv }) {
    this.identity = identity;
    const argv = asDeployed
      ? args
      : ["operator", "--kubeconfig", controlPlane().kubeconfig, "--identity", identity, "--metrics-port", "0", "--bind-address", "127.0.0.1", ...args];
    this.#child = spawn(nodeBinary(), [cli, ...argv], {
      stdio: ["ignore", "pipe", "pipe"],
      cwd: repo,
      env: asDeployed?.env ?? process.env,
    });
    if (this.#child.stdout) collectJsonLines(this.#child.stdout, this.lines);
    this.#child.stderr?.setEncoding("utf8").on("data", (chunk: string) => (this.#stderr += chunk));
    this.#exited = new Promise((resolve) => this.#child.once("exit", (code) => resolve(code)));
  }

  get stderr(): string {
    return this.#stderr;
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

  /** For afterAll: never leave a child behind. */
  kill(): void {
    if (this.#child.exitCode === null && this.#child.signalCode === null) this.#child.kill("SIGKILL");
  }
}
