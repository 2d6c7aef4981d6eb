// The servers of one run: started once, frozen (SIGSTOP) whenever they are not the one being
// loaded, and stopped together at the end, each with what became of it.
import { freezeTree, type Frozen } from "./freeze.ts";
import type { RuntimePlan } from "./plan.ts";
import type { ProcStat } from "./proc-stat.ts";
import { startServer, unavailableReason, type RunningServer, type ServerContext } from "./servers.ts";
import type { Tools } from "./tools.ts";
import type { ServerOutcome } from "./types.ts";

/** The servers of a run and their state: running, frozen, or gone with a reason. */
export class Fleet {
  readonly running: RunningServer[] = [];
  readonly #frozen = new Map<RunningServer, Frozen>();
  readonly #outcomes: Map<string, ServerOutcome>;
  readonly #progress: (line: string) => void;

  constructor(plan: RuntimePlan, progress: (line: string) => void) {
    this.#outcomes = new Map(plan.servers.map((spec) => [spec.id, { spec, started: false, startSeconds: null, problem: null }]));
    this.#progress = progress;
  }

  get outcomes(): ServerOutcome[] {
    return [...this.#outcomes.values()];
  }

  async start(plan: RuntimePlan, tools: Tools, context: ServerContext, notes: string[]): Promise<void> {
    for (const spec of plan.servers) {
      const reason = unavailableReason(spec, tools);
      if (reason !== null) {
        this.#outcomes.set(spec.id, { spec, started: false, startSeconds: null, problem: reason });
        this.#progress(`${spec.label}: not measured, ${reason}`);
        continue;
      }
      const t0 = performance.now();
      try {
        const server = await startServer(spec, context);
        this.running.push(server);
        await this.freeze(server);
        const startSeconds = Math.round(performance.now() - t0) / 1000;
        this.#outcomes.set(spec.id, { spec, started: true, startSeconds, problem: null });
        if (server.info !== null) notes.push(`${spec.label} reports: ${server.info}`);
        this.#progress(`started ${spec.label} on port ${server.port} in ${startSeconds.toFixed(1)} s`);
      } catch (error) {
        const problem = `did not start: ${(error as Error).message}`;
        this.#outcomes.set(spec.id, { spec, started: false, startSeconds: null, problem });
        this.#progress(`${spec.label}: ${problem}`);
      }
    }
  }

  async freeze(server: RunningServer): Promise<void> {
    if (!this.#frozen.has(server) && !server.launched.hasExited()) this.#frozen.set(server, await freezeTree(server.launched.pid));
  }

  async thaw(server: RunningServer): Promise<void> {
    await this.#frozen.get(server)?.thaw();
    this.#frozen.delete(server);
  }

  /** Every process of every frozen server. */
  frozenProcesses(): ProcStat[] {
    return [...this.#frozen.values()].flatMap((f) => f.processes);
  }

  /** False (once saying why) when the server has exited. */
  alive(server: RunningServer): boolean {
    if (!server.launched.hasExited()) return true;
    const outcome = this.#outcomes.get(server.spec.id)!;
    if (outcome.problem === null) {
      this.#outcomes.set(server.spec.id, { ...outcome, problem: `exited during the run:\n${server.launched.tail()}` });
      this.#progress(`${server.spec.label} exited during the run; its remaining measurements are skipped`);
    }
    return false;
  }

  /** Thaws `server`, runs `work` on it, freezes it again. */
  async with<T>(server: RunningServer, work: () => Promise<T>): Promise<T> {
    await this.thaw(server);
    try {
      return await work();
    } finally {
      await this.freeze(server);
    }
  }

  async stopAll(): Promise<void> {
    const servers = this.running.splice(0);
    for (const server of servers) await this.thaw(server);
    await Promise.all(servers.map((s) => s.stop()));
  }
}
