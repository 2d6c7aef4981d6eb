import { fork, type ChildProcess } from "node:child_process";
import type { Logger } from "pino";
import type { AdminSource } from "../admin/admin-server.ts";
import { createServer, type AddressInfo, type Server, type Socket } from "node:net";
import { closeConnectionHandle, sendableHandle, takeConnectionHandle, type ConnectionHandle } from "../process/connection-handle.ts";
import type { RuntimeSettings } from "../settings/runtime-settings.ts";
import { OnceTable } from "../once/once-table.ts";
import { answerOnce, pidOfHolder } from "../once/supervised-once.ts";
import type { FromChild, ToChild } from "./ipc.ts";
import { ConnectionDealer } from "./connection-dealer.ts";

const CHILD_ENTRY = new URL("./child.ts", import.meta.url);
/** A process of the group loads its modules from the cache this one filled (bin/modules). */
const MODULE_CACHE_HOOK = new URL("../../../bin/modules/register.mjs", import.meta.url).href;
const QUERY_TIMEOUT_MS = 2_000;
const MAX_RESTART_DELAY_MS = 5_000;
/** A process that ran this long before it died was healthy: its successor starts without back-off. */
const HEALTHY_RUN_MS = 10_000;
/** How long the port stays open once the group stops, as long as each process's drain keeps serving new connections. */
const LINGER_MS = 1_000;

/** One of the group's processes, restarted in place when it dies. */
interface Slot {
  readonly index: number;
  child: ChildProcess | undefined;
  restarts: number;
}

type Answer = Exclude<Extract<FromChild, { q: number }>, { t: "once" }>;

/** The part of `registry.getMetricsAsJSON()` the supervisor touches. */
interface MetricJson {
  readonly values: readonly { readonly labels: Readonly<Record<string, string | number>> }[];
}

/**
 * `processgroup serve`: runs a ProcessGroup on this machine the way mod_wsgi-express runs a
 * daemon group: `processes` OS processes, each with the group's threads, and this one accepts
 * the connections and deals them out in turn (ConnectionDealer); a dead process is started
 * again; the admin port answers for all of them; SIGTERM drains them all.
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
  /** The apps' port: accepted here, never read, and dealt to the processes. */
  readonly #front: Server;
  readonly #dealer: ConnectionDealer<ChildProcess, ConnectionHandle>;

  constructor(settings: RuntimeSettings, processes: number, log: Logger) {
    this.#settings = settings;
    this.#once = new OnceTable(settings.onceTakeoverMs);
    this.#port = settings.port;
    this.#log = log;
    this.#slots = Array.from({ length: processes }, (_, index) => ({ index, child: undefined, restarts: 0 }));
    this.#dealer = new ConnectionDealer({
      send: (child, id, handle) => {
        if (!child.connected) return false;
        // A send that fails later (the process died meanwhile) is taken care of by its exit: gone() deals the connection again.
        child.send({ t: "connection", id } satisfies ToChild, sendableHandle(handle), () => undefined);
        return true;
      },
      close: closeConnectionHandle,
      holdCapacity: settings.listenBacklog,
    });
    this.#front = createServer({ pauseOnConnect: true }, (socket: Socket) => {
      const handle = takeConnectionHandle(socket);
      if (handle !== undefined) this.#dealer.deal(handle);
    });
  }

  get port(): number {
    return this.#port;
  }

  /**
   * Listens (the user may ask for port 0), then starts every process; resolves once every
   * process has loaded its groups (or failed to: readiness says why). Connections that come
   * before the first process takes any wait here.
   */
  async start(): Promise<void> {
    await new Promise<void>((resolve, reject) => {
      this.#front.once("error", reject);
      this.#front.listen({ host: this.#settings.host, port: this.#settings.port, backlog: this.#settings.listenBacklog }, () => {
        this.#front.off("error", reject);
        resolve();
      });
    });
    this.#port = (this.#front.address() as AddressInfo).port;
    // An accept that fails (EMFILE when out of descriptors) must not take the whole group down.
    this.#front.on("error", (error: Error) => this.#log.error({ error: String(error) }, "accepting a connection failed"));
    await Promise.all(this.#slots.map((slot) => this.#startChild(slot).loaded));
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
    let draining = false;
    slot.child = child;
    this.#children.add(child);
    child.on("message", (message: FromChild) => {
      if (message.t === "adopted") return this.#dealer.adopted(message.id);
      if (message.t === "listening") {
        hasListened = true;
        if (!draining) this.#dealer.join(child);
        return listened(message.port);
      }
      if (message.t === "started") return loaded();
      if (message.t === "draining") {
        draining = true;
        // Stopping the whole group, every process still serves what comes during its linger.
        if (!this.#stopping) this.#dealer.leave(child);
        return this.#succeed(slot, child, message.signal);
      }
      if (message.t === "once") {
        if (child.connected) child.send(answerOnce(this.#once, message) satisfies ToChild);
        return;
      }
      this.#waiting.get(message.q)?.(message);
    });
    child.on("exit", (code, signal) => {
      this.#children.delete(child);
      this.#dealer.gone(child);
      const given = this.#once.releaseWhere((holder) => pidOfHolder(holder) === child.pid);
      if (given.length > 0) this.#log.warn({ process: slot.index, childPid: child.pid, keys: given }, "once: a process died while it ran; its runs go to another caller");
      failed(new Error(`process ${slot.index} exited with ${signal ?? `code ${code}`} before it ${hasListened ? "loaded its application groups" : "listened"}`));
      // Its successor took the slot when it began to drain: nothing to restart.
      if (slot.child !== child) return;
      slot.child = undefined;
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
    child.send({ t: "start", settings } satisfies ToChild);
    return { listening, loaded: started };
  }

  /**
   * A process told to stop on its own (a rollout sends SIGTERM to one process at a time, as
   * the kubelet does to pods) is replaced at once: it takes no new connections, and its
   * successor takes its turn as soon as it is up. SIGINT is left
   * alone: Ctrl-C reaches every process at once, and the supervisor is stopping too.
   */
  #succeed(slot: Slot, draining: ChildProcess, signal: NodeJS.Signals): void {
    if (this.#stopping || slot.child !== draining || signal !== "SIGTERM") return;
    this.#log.info({ process: slot.index, childPid: draining.pid }, "a process is draining; starting its successor");
    this.#startChild(slot).listening.catch((error: unknown) => this.#log.error({ error: String(error) }, "successor failed to start"));
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
    // The port closes when the processes' drains stop taking new connections: later clients
    // are refused rather than left waiting on a socket no one will accept from.
    const lingerMs = Math.min(LINGER_MS, (this.#settings.gracefulTimeoutSeconds * 1000) / 2);
    const closing = setTimeout(() => this.#closeFront(), lingerMs);
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
    clearTimeout(closing);
    this.#closeFront();
  }

  #closeFront(): void {
    if (this.#front.listening) this.#front.close();
    this.#dealer.closeAll();
  }

  /** The second Ctrl-C: no drain. */
  kill(): void {
    this.#stopping = true;
    this.#closeFront();
    for (const child of this.#children) child.kill("SIGKILL");
  }
}

