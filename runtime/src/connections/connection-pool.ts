import type { Socket } from "node:net";
import type { Logger } from "pino";
import type { RuntimeMetrics } from "../observability/metrics.ts";
import { loadFailedAnswer } from "../threads/load-failure.ts";
import { PoolThread, type RecycleReason } from "../threads/pool-thread.ts";
import type { FromWorker, WorkerData } from "../threads/protocol.ts";
import { SharedStore } from "../threads/shared-store.ts";
import type { PoolState } from "../threads/thread-pool.ts";
import { ConnectionAdmission } from "./connection-admission.ts";
import { ConnectionThread } from "./connection-thread.ts";
import type { ConnectionServing, FromConnectionThread, Observed, ToConnectionThread } from "./protocol.ts";
import { refuseConnection } from "./refuse-connection.ts";
import { epochNow, ThreadLoad } from "./thread-load.ts";
import { ThreadReports } from "./thread-reports.ts";
import { onceThreadOf } from "../once/once-thread.ts";
import type { OnceService } from "../once/once-service.ts";
import { sharedReply } from "../threads/shared-reply.ts";

export interface ConnectionPoolOptions {
  readonly workerData: WorkerData;
  readonly serving: Omit<ConnectionServing, "load">;
  readonly threads: number;
  /** How many threads can run at once (placement, place-connection.ts). */
  readonly cores: number;
  readonly gracefulTimeoutMs: number;
  readonly restartIntervalMs: number | undefined;
  readonly memoryLimitMb: number | undefined;
  readonly logger: Logger;
  readonly metrics: RuntimeMetrics;
  /** The process's env.once() coordinator, shared by all its pools. */
  readonly once?: OnceService | undefined;
}

/**
 * How long a retiring thread keeps its idle connections open while its responses say
 * Connection: close: a keep-alive client that sends its next request meanwhile is answered,
 * instead of racing the close of its idle connection.
 */
const IDLE_LINGER_MS = 1_000;
/** The application label of a connection answered before any thread read its request. */
const UNREAD = "(unread)";
/** How often the drain looks whether the connections waiting for a thread have all been placed. */
const WAITING_POLL_MS = 20;
/** How often the main thread looks for a thread blocked past the request timeout. */
const WATCHDOG_MS = 250;
/** The thread's own timer answers 504 first; past this, its event loop is blocked. */
const BLOCKED_GRACE_MS = 1_000;

/**
 * The worker threads of a process that serves one application group, in connection mode: the
 * main thread only accepts, and hands each connection to a thread with room (placement), or
 * holds it until one has room, within listenBacklog and queueTimeout. The threads serve their
 * connections' requests themselves. Threads are replaced (the new one first) after
 * maximumRequests, on restartInterval and on reload: the old thread takes no new connection
 * and closes each of its connections after its current request.
 */
export class ConnectionPool {
  readonly group: string;
  readonly shared = new SharedStore();
  readonly #options: ConnectionPoolOptions;
  readonly #log: Logger;
  readonly #threads = new Map<PoolThread, ConnectionThread>();
  readonly #admission: ConnectionAdmission<Socket, ConnectionThread>;
  readonly #reports = new ThreadReports();
  /** Who waits for a thread's connections to close (its retirement, the drain). */
  readonly #closedWaiters = new Map<ConnectionThread, (() => void)[]>();
  #state: PoolState = { kind: "starting" };
  #closed = false;
  #timers: NodeJS.Timeout[] = [];

  constructor(options: ConnectionPoolOptions) {
    this.#options = options;
    this.group = options.workerData.applicationGroup;
    this.#log = options.logger.child({ applicationGroup: this.group });
    this.#admission = new ConnectionAdmission<Socket, ConnectionThread>(
      { group: this.group, capacity: options.serving.queueCapacity, timeoutMs: options.serving.queueTimeoutMs, concurrency: options.serving.concurrency, cores: options.cores },
      {
        ready: () => this.#state.kind === "ready",
        candidates: () => [...this.#threads.values()].filter((t) => !t.leaving && t.thread.state === "serving"),
        wantRoom: () => {
          for (const t of this.#threads.values()) t.load.want();
        },
        hand: (t, socket) => {
          t.handed();
          this.#post(t, { t: "connection", socket }, [socket]);
        },
        refuse: (socket, status, message) => this.#refuse(socket, status, message),
        waited: (ms) => this.#options.metrics.queueWait(this.group, ms / 1000),
      },
    );
  }

  get state(): PoolState {
    return this.#state;
  }

  async start(): Promise<PoolState> {
    const fresh = this.#spawn(this.#options.threads);
    const error = await this.#allReady(fresh);
    if (error !== undefined) {
      for (const t of fresh) this.#discard(t);
      this.#fail(`application group ${this.group} failed to load: ${error}`);
    } else {
      this.#state = { kind: "ready" };
      this.#admission.placeWaiting();
    }
    const interval = this.#options.restartIntervalMs;
    if (interval !== undefined && !this.#closed) this.#timers.push(setInterval(() => void this.replaceAll("restart-interval"), interval).unref());
    if (this.#options.serving.requestTimeoutMs !== undefined) this.#timers.push(setInterval(() => this.#watch(), WATCHDOG_MS).unref());
    return this.#state;
  }

  /** A new connection, paused: to a thread with room, or it waits for one. */
  accept(socket: Socket): void {
    if (this.#closed) return this.#refuse(socket, 503, "the process is shutting down");
    if (this.#state.kind === "failed") return this.#refuse(socket, 500, loadFailedAnswer(this.group));
    this.#admission.accept(socket);
  }

  /** Replaces every thread: the new generation loads first; the old one closes its connections as their requests end. */
  async replaceAll(reason: RecycleReason): Promise<boolean> {
    const olds = [...this.#threads.values()].filter((t) => !t.leaving && t.thread.state !== "starting");
    if (olds.length === 0 && this.#state.kind !== "failed") return false;
    return this.#replace(olds, reason, olds.length === 0 ? this.#options.threads : olds.length);
  }

  /** The drain begins: every response from now on closes its connection; threads still take new ones. */
  stopKeepAlive(): void {
    for (const t of this.#threads.values()) this.#post(t, { t: "stop-keep-alive" });
  }

  /**
   * The port has closed, so no connection comes any more: every thread closes its idle
   * connections, and the others as their requests end. Resolves when none is left, or after
   * `timeoutMs`.
   */
  async closeConnections(timeoutMs: number): Promise<void> {
    const deadline = performance.now() + timeoutMs;
    // Connections still waiting for a thread go first: they were accepted, so they are served.
    while (this.#admission.waiting > 0 && performance.now() < deadline) await new Promise((resolve) => setTimeout(resolve, WAITING_POLL_MS));
    const open = [...this.#threads.values()].filter((t) => t.thread.state !== "gone" && t.thread.state !== "starting");
    return new Promise((resolve) => {
      let left = open.length;
      if (left === 0) return resolve();
      const timer = setTimeout(resolve, Math.max(0, deadline - performance.now()));
      for (const t of open) {
        this.#onceClosed(t, () => {
          if (--left === 0) {
            clearTimeout(timer);
            resolve();
          }
        });
        this.#post(t, { t: "close-idle" });
      }
    });
  }

  /** Ends every thread and refuses what still waits. */
  close(): void {
    this.#closed = true;
    for (const timer of this.#timers) clearInterval(timer);
    for (const socket of this.#admission.clear()) this.#refuse(socket, 503, "the process is shutting down");
    for (const t of [...this.#threads.values()]) this.#discard(t);
    this.#reports.close();
  }

  /** Asks every thread for what it observed, so a scrape counts every answered request. */
  async collect(): Promise<void> {
    const live = [...this.#threads.values()].filter((t) => t.thread.state !== "starting" && t.thread.state !== "gone");
    await Promise.all(live.map((t) => this.#reports.request((call) => this.#post(t, { t: "report", call }))));
  }

  #spawn(count: number): ConnectionThread[] {
    return Array.from({ length: count }, () => {
      const load = new ThreadLoad(this.#options.serving.concurrency);
      const data: WorkerData = { ...this.#options.workerData, connections: { ...this.#options.serving, load: load.buffer } };
      const thread = new PoolThread(data, { memoryLimitMb: this.#options.memoryLimitMb, concurrency: this.#options.serving.concurrency }, {
        message: (t, m) => this.#onMessage(t, m),
        died: (t, reason, message) => this.#onDied(t, reason, message),
      });
      const entry = new ConnectionThread(thread, load);
      this.#threads.set(thread, entry);
      return entry;
    });
  }

  async #allReady(threads: ConnectionThread[]): Promise<string | undefined> {
    const results = await Promise.allSettled(threads.map((t) => t.thread.ready));
    const failure = results.find((r) => r.status === "rejected");
    if (failure) return String((failure.reason as Error).message ?? failure.reason);
    for (const t of threads) this.#joined(t);
    return undefined;
  }

  #joined(t: ConnectionThread): void {
    if (t.thread.state === "starting") t.thread.state = "serving";
    this.#options.metrics.threadState(this.group, t.thread.threadId, "idle");
  }

  async #replace(olds: ConnectionThread[], reason: RecycleReason, count: number): Promise<boolean> {
    if (this.#closed) return false;
    for (const old of olds) old.thread.replacing = true;
    const fresh = this.#spawn(count);
    const error = await this.#allReady(fresh);
    if (this.#closed || error !== undefined) {
      for (const t of fresh) this.#discard(t);
      for (const old of olds) old.thread.replacing = false;
      if (error !== undefined) {
        this.#log.error({ reason, error }, "replacement threads failed to load; the old threads keep serving");
        if (this.#state.kind === "failed" || this.#threads.size === 0) this.#fail(`application group ${this.group} failed to load: ${error}`);
      }
      return false;
    }
    this.#state = { kind: "ready" };
    for (const old of olds) this.#retire(old, reason);
    this.#log.info({ reason, threads: fresh.map((t) => t.thread.threadId), replaced: olds.map((t) => t.thread.threadId) }, "threads replaced");
    this.#admission.placeWaiting();
    return true;
  }

  /** Out of service gracefully: no new connections; gone once its connections have closed, or after the graceful timeout. */
  #retire(t: ConnectionThread, reason: RecycleReason): void {
    if (t.thread.state === "gone" || t.leaving) return;
    if (reason !== "request-timeout") this.#options.metrics.recycled(this.group, reason);
    t.leaving = true;
    const timer = setTimeout(() => this.#discard(t), this.#options.gracefulTimeoutMs).unref();
    this.#onceClosed(t, () => {
      clearTimeout(timer);
      this.#discard(t);
    });
    this.#post(t, { t: "stop-keep-alive" });
    // Placement skips it already; what was on its way to it has arrived by the time this does.
    setTimeout(() => this.#post(t, { t: "close-idle" }), IDLE_LINGER_MS).unref();
  }

  #onceClosed(t: ConnectionThread, done: () => void): void {
    this.#closedWaiters.set(t, [...(this.#closedWaiters.get(t) ?? []), done]);
  }

  #discard(t: ConnectionThread): void {
    if (this.#threads.delete(t.thread)) this.#options.metrics.threadState(this.group, t.thread.threadId, "gone");
    t.thread.stop();
    const waiters = this.#closedWaiters.get(t) ?? [];
    this.#closedWaiters.delete(t);
    for (const done of waiters) done();
  }

  /** A thread that cannot go on (blocked, crashed): out now, a fresh one in. Its connections close with it. */
  #replaceNow(t: ConnectionThread, reason: RecycleReason): void {
    const wasLeaving = t.leaving;
    this.#discard(t);
    if (wasLeaving || this.#closed) return;
    this.#options.metrics.recycled(this.group, reason);
    const [fresh] = this.#spawn(1);
    if (!fresh) return;
    void this.#allReady([fresh]).then((error) => {
      if (error === undefined) {
        if (this.#closed) this.#discard(fresh);
        else this.#admission.placeWaiting();
        return;
      }
      this.#discard(fresh);
      this.#log.error({ reason, error }, "a replacement thread failed to load");
      if (this.#threads.size === 0) this.#fail(`application group ${this.group} failed to load: ${error}`);
    });
  }

  #post(t: ConnectionThread, message: ToConnectionThread, transfer: readonly object[] = []): void {
    if (t.thread.state === "gone") return;
    t.thread.worker.postMessage(message, transfer as never);
  }

  #refuse(socket: Socket, status: number, message: string): void {
    this.#options.metrics.answered(UNREAD, status, 0);
    refuseConnection(socket, status, message);
  }

  #fail(error: string): void {
    this.#state = { kind: "failed", error };
    this.#log.error({ error }, "application group failed to load");
    for (const socket of this.#admission.clear()) this.#refuse(socket, 500, loadFailedAnswer(this.group));
  }

  #watch(): void {
    const timeout = this.#options.serving.requestTimeoutMs;
    if (timeout === undefined) return;
    const now = epochNow();
    for (const t of [...this.#threads.values()]) {
      const oldest = t.load.oldestStart();
      if (oldest !== undefined && now - oldest > timeout + BLOCKED_GRACE_MS) {
        this.#log.error({ threadId: t.thread.threadId, runningMs: now - oldest }, "a thread is blocked past the request timeout: replacing it and closing its connections");
        this.#replaceNow(t, "request-timeout");
      }
    }
  }

  #onMessage(thread: PoolThread, raw: FromWorker): void {
    const t = this.#threads.get(thread);
    if (t === undefined) return;
    if (raw.t === "shared") return thread.send(sharedReply(this.shared, raw));
    if (raw.t === "once" || raw.t === "once-finished") return this.#options.once?.receive(onceThreadOf(thread), raw);
    const message = raw as unknown as FromConnectionThread;
    switch (message.t) {
      case "room":
        return this.#admission.placeWaiting();
      case "observed":
        this.#record(message.observed);
        if (message.call !== undefined) this.#reports.answered(message.call);
        return;
      case "app-failed":
        return void this.#log.error({ application: message.application, error: message.error }, "the application failed");
      case "timed-out":
        // Its request was answered 504; what it still runs is answered to no one.
        if (!thread.replacing) {
          thread.replacing = true;
          // Counted now: the thread is already free again, and is replaced once its successor has loaded.
          this.#options.metrics.recycled(this.group, "request-timeout");
          this.#log.warn({ threadId: thread.threadId, requestTimeoutSeconds: (this.#options.serving.requestTimeoutMs ?? 0) / 1000 }, "a request ran past the request timeout: replacing its thread");
          void this.#replace([t], "request-timeout", 1);
        }
        return;
      case "served-enough":
        if (!thread.replacing) void this.#replace([t], "maximum-requests", 1);
        return;
      case "connections-closed": {
        const waiters = this.#closedWaiters.get(t) ?? [];
        this.#closedWaiters.delete(t);
        for (const done of waiters) done();
        return;
      }
    }
  }

  #record(observed: Observed): void {
    const { metrics } = this.#options;
    for (const tally of observed.answered) {
      for (const [status, count] of tally.statuses) metrics.answeredMany(tally.application, status, count);
      metrics.durations(tally.application, tally.durations);
    }
    for (const a of observed.requests) {
      this.#log.info({ method: a.method, url: a.url, status: a.status, application: a.application, durationMs: Math.round(a.seconds * 1e4) / 10, remoteAddress: a.remoteAddress }, "request");
    }
    metrics.queueWaits(this.group, observed.queueWaits);
    for (const [status, count] of observed.clientErrors) metrics.clientError(status, count);
  }

  /** Reads the threads' states and queue lengths into the metrics (before a scrape). */
  sample(): void {
    let queued = this.#admission.waiting;
    for (const t of this.#threads.values()) {
      if (t.thread.state === "starting" || t.thread.state === "gone") continue;
      this.#options.metrics.threadState(this.group, t.thread.threadId, t.load.inflight > 0 ? "busy" : "idle");
      queued += t.load.queued;
    }
    this.#options.metrics.queueLength(this.group, queued);
  }

  #onDied(thread: PoolThread, reason: RecycleReason, message: string): void {
    const t = this.#threads.get(thread);
    if (t === undefined) return;
    this.#log.error({ threadId: thread.threadId, reason, error: message, inFlight: t.load.inflight, connections: t.load.connections }, "a thread died; its connections closed with it");
    this.#replaceNow(t, reason);
  }
}
