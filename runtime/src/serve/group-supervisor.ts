import { fork, type ChildProcess, type SendHandle } from "node:child_process";
import type { Logger } from "pino";
import type { AdminSource } from "../admin/admin-server.ts";
import { closeListenHandle, sendableHandle, type ListenHandle } from "../process/listen-handle.ts";
import type { RuntimeSettings } from "../settings/runtime-settings.ts";
import { OnceTable } from "../once/once-table.ts";
import { answerOnce, pidOfHolder } from "../once/supervised-once.ts";
import type { FromChild, ToChild } from "./ipc.ts";

const CHILD_ENTRY = new URL("./child.ts", import.meta.url);
/** A process of the group loads its modules from the cache this one filled (bin/modules). */
const MODULE_CACHE_HOOK = new URL("../../../bin/modules/register.mjs", import.meta.url).href;
const QUERY_TIMEOUT_MS = 2_000;
const MAX_RESTART_DELAY_MS = 5_000;
/** A process that ran this long before it died was healthy: its successor starts without back-off. */
const HEALTHY_RUN_MS = 10_000;

/** One of the group's processes, restarted in place when it dies. */
interface Slot {
  readonly index: number;
  child: ChildProcess | undefined;
  restarts: number;
  /**
   * The slot's listening socket (SO_REUSEPORT, one per slot), held open here without
   * accepting while processes come and go. Closing a reusePort socket resets the connections
   * in its accept queue, and while a slot has no socket its share of new connections is
   * refused; held here, the socket outlives each process and a successor accepts what its
   * predecessor left queued.
   */
  listener: ListenHandle | undefined;
}

type Answer = Exclude<Extract<FromChild, { q: number }>, { t: "once" }>;

/** The part of `registry.getMetricsAsJSON()` the supervisor touches. */
interface MetricJson {
  readonly values: readonly { readonly labels: Readonly<Record<string, string | number>> }[];
}

/**
 * `processgroup serve`: runs a ProcessGroup on this machine the way mod_wsgi-express runs a
 * daemon group: `processes` OS processes share the port (SO_REUSEPORT, so the kernel spreads
 * connections), each with the group's threads; a dead process is started again; the admin
 * port answers for all of them; SIGTERM drains them all.
 */
export class Supervisor implements AdminSource {
  readonly #settings: RuntimeSettings;
  readonly #slots: Slot[];
  readonly #log: Logger;
  readonly #waiting = new Map<number, (answer: Answer) => void>();
  /** Every live process, including one that drains while its successor has taken its slot. */
  readonly #children = new Set<ChildProcess>();
  /**
   * env.once() for the whole group: one table per `serve` run (a new run runs every key
   * again), released for a process the moment it exits.
   */
  readonly #once: OnceTable;
  #nextQuery = 1;
  #stopping = false;
  #port: number;

  constructor(settings: RuntimeSettings, processes: number, log: Logger) {
    this.#settings = settings;
    this.#once = new OnceTable(settings.onceTakeoverMs);
    this.#port = settings.port;
    this.#log = log;
    this.#slots = Array.from({ length: processes }, (_, index) => ({ index, child: undefined, restarts: 0, listener: undefined }));
  }

  get port(): number {
    return this.#port;
  }

  /**
   * Starts the first process, learns the port it got (the user may ask for port 0), then the
   * rest; resolves once every process has loaded its groups (or failed to: readiness says why).
   */
  async start(): Promise<void> {
    const [first, ...rest] = this.#slots;
    if (first) {
      const started = this.#startChild(first);
      this.#port = await started.listening;
      await Promise.all([started.loaded, ...rest.map((slot) => this.#startChild(slot).loaded)]);
    }
  }

  #startChild(slot: Slot): { listening: Promise<number>; loaded: Promise<void> } {
    let listened!: (port: number) => void;
    let loaded!: () => void;
    let failed!: (error: Error) => void;
    const listening = new Promise<number>((resolve, reject) => {
      listened = resolve;
      failed = reject;
    });
    const started = new Promise<void>((resolve, reject) => {
      loaded = resolve;
      const previous = failed;
      failed = (error) => {
        previous(error);
        reject(error);
      };
    });
    // Whoever does not wait for a promise must not see its rejection as unhandled.
    listening.catch(() => undefined);
    started.catch(() => undefined);
    const child = fork(CHILD_ENTRY, [], { execArgv: ["--import", MODULE_CACHE_HOOK, ...process.execArgv], stdio: ["ignore", "inherit", "inherit", "ipc"] });
    const startedAt = Date.now();
    let hasListened = false;
    slot.child = child;
    this.#children.add(child);
    child.on("message", (message: FromChild, handle: SendHandle) => {
      if (message.t === "listening") {
        hasListened = true;
        if (handle && slot.listener === undefined) slot.listener = handle;
        else if (handle) closeListenHandle(handle);
        return listened(message.port);
      }
      if (message.t === "started") return loaded();
      if (message.t === "draining") return this.#succeed(slot, child, message.signal);
      if (message.t === "once") {
        if (child.connected) child.send(answerOnce(this.#once, message) satisfies ToChild);
        return;
      }
      this.#waiting.get(message.q)?.(message);
    });
    child.on("exit", (code, signal) => {
      this.#children.delete(child);
      const given = this.#once.releaseWhere((holder) => pidOfHolder(holder) === child.pid);
      if (given.length > 0) this.#log.warn({ process: slot.index, childPid: child.pid, keys: given }, "once: a process died while it ran; its runs go to another caller");
      failed(new Error(`process ${slot.index} exited with ${signal ?? `code ${code}`} before it ${hasListened ? "loaded its application groups" : "listened"}`));
      // Its successor took the slot when it began to drain: nothing to restart.
      if (slot.child !== child) return;
      slot.child = undefined;
      // A process that cannot even listen must not leave connections queued on a socket no
      // one accepts from: its successor opens a fresh one.
      if (!hasListened) this.#releaseListener(slot);
      if (this.#stopping) return;
      if (Date.now() - startedAt >= HEALTHY_RUN_MS) slot.restarts = 0;
      const delay = Math.min(MAX_RESTART_DELAY_MS, 100 * 2 ** slot.restarts);
      slot.restarts += 1;
      this.#log.error({ process: slot.index, childPid: child.pid, code, signal, restartInMs: delay }, "a process died; starting it again");
      setTimeout(() => {
        if (!this.#stopping && slot.child === undefined) this.#startChild(slot).listening.catch((error: unknown) => this.#log.error({ error: String(error) }, "restart failed"));
      }, delay).unref();
    });
    const settings: RuntimeSettings = { ...this.#settings, port: this.#port };
    if (slot.listener) child.send({ t: "start", settings } satisfies ToChild, sendableHandle(slot.listener));
    else child.send({ t: "start", settings } satisfies ToChild);
    return { listening, loaded: started };
  }

  /**
   * A process told to stop on its own (a rollout sends SIGTERM to one process at a time, as
   * the kubelet does to pods) is replaced at once: its successor accepts from the slot's
   * socket while it drains, so the slot never stops taking connections. SIGINT is left
   * alone: Ctrl-C reaches every process at once, and the supervisor is stopping too.
   */
  #succeed(slot: Slot, draining: ChildProcess, signal: NodeJS.Signals): void {
    if (this.#stopping || slot.child !== draining || signal !== "SIGTERM") return;
    this.#log.info({ process: slot.index, childPid: draining.pid }, "a process is draining; starting its successor");
    this.#startChild(slot).listening.catch((error: unknown) => this.#log.error({ error: String(error) }, "successor failed to start"));
  }

  #releaseListener(slot: Slot): void {
    if (slot.listener) closeListenHandle(slot.listener);
    slot.listener = undefined;
  }

  async #ask<K extends ToChild["t"] & Answer["t"]>(slot: Slot, t: K): Promise<Extract<Answer, { t: K }> | undefined> {
    const child = slot.child;
    if (!child?.connected) return undefined;
    const q = this.#nextQuery++;
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.#waiting.delete(q);
        resolve(undefined);
      }, QUERY_TIMEOUT_MS);
      this.#waiting.set(q, (answer) => {
        clearTimeout(timer);
        this.#waiting.delete(q);
        resolve(answer as Extract<Answer, { t: K }>);
      });
      child.send({ t, q } as ToChild);
    });
  }

  async readiness(): Promise<readonly string[] | null> {
    if (this.#stopping) return ["the group is shutting down"];
    const answers = await Promise.all(this.#slots.map(async (slot) => ({ slot, answer: await this.#ask(slot, "readiness") })));
    const reasons = answers.flatMap(({ slot, answer }) =>
      answer === undefined ? [`process ${slot.index}: not running or not answering`] : (answer.reasons ?? []).map((r) => `process ${slot.index}: ${r}`),
    );
    return reasons.length === 0 ? null : reasons;
  }

  async metrics(): Promise<{ contentType: string; text: string }> {
    const answers = await Promise.all(this.#slots.map(async (slot) => ({ slot, answer: await this.#ask(slot, "metrics") })));
    // Each process's series get a `process` label (its slot, stable across restarts): the
    // aggregator sums series with equal labels, and the processes' must stay apart.
    const labelled = answers.flatMap(({ slot, answer }) =>
      answer === undefined
        ? []
        : [
            (answer.metrics as MetricJson[]).map((m) => ({
              ...m,
              values: m.values.map((v) => ({ ...v, labels: { ...v.labels, process: String(slot.index) } })),
            })),
          ],
    );
    // Loaded at the first scrape: a supervisor nobody scrapes (a laptop) never loads it.
    const { AggregatorRegistry } = await import("prom-client");
    const registry = AggregatorRegistry.aggregate(labelled);
    return { contentType: registry.contentType, text: await registry.metrics() };
  }

  get stopping(): boolean {
    return this.#stopping;
  }

  /** Processes still running (draining ones included). */
  get running(): number {
    return [...this.#children].filter((c) => c.exitCode === null && c.signalCode === null).length;
  }

  /** The longest a drain may take before its process is killed. */
  get hardStopMs(): number {
    return (this.#settings.gracefulTimeoutSeconds + this.#settings.shutdownTimeoutSeconds + 1) * 1000;
  }

  /** Stops every process; each drains within its graceful timeout, and is killed after the hard stop. */
  async stop(): Promise<void> {
    this.#stopping = true;
    // The port closes as the last process stops accepting: later clients are refused rather
    // than left waiting on a socket no one will accept from.
    for (const slot of this.#slots) this.#releaseListener(slot);
    await Promise.all(
      [...this.#children].map(async (child) => {
        if (child.exitCode !== null || child.signalCode !== null) return;
        const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
        child.kill("SIGTERM");
        const timer = setTimeout(() => child.kill("SIGKILL"), this.hardStopMs);
        await exited;
        clearTimeout(timer);
      }),
    );
  }

  /** The second Ctrl-C: no drain. */
  kill(): void {
    this.#stopping = true;
    for (const child of this.#children) child.kill("SIGKILL");
  }
}

