import type { Socket } from "node:net";
import type { Logger } from "pino";
import { nodeHttp } from "../http/node-http.ts";
import type { RuntimeMetrics } from "../observability/metrics.ts";
import { loadFailedAnswer } from "../threads/load-failure.ts";
import { PoolThread, type RecycleReason } from "../threads/pool-thread.ts";
import type { FromWorker, WorkerData } from "../threads/protocol.ts";
import { SharedStore } from "../threads/shared-store.ts";
import type { PoolState } from "../threads/thread-pool.ts";
import { WaitQueue } from "../threads/wait-queue.ts";
import { HOLD, HOLD_MS, placeConnection } from "./place-connection.ts";
import type { ConnectionServing, FromConnectionThread, Observed, ToConnectionThread } from "./protocol.ts";
import { epochNow, ThreadLoad } from "./thread-load.ts";
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

/** A thread of the pool and what the main thread knows of it. */
class ConnectionThread {
  readonly thread: PoolThread;
  readonly load: ThreadLoad;
  /** No new connections: it is being replaced (its connections close as their requests end). */
  leaving = false;
  /** Since when it has had handed connections that have not begun a request (epochNow()). */
  #freshSince = 0;

  constructor(thread: PoolThread, load: ThreadLoad) {
    this.thread = thread;
    this.load = load;
  }

  /** Requests running, and connections about to begin one. */
  get inflight(): number {
    return this.load.inflight + this.load.fresh;
  }

  get connections(): number {
    return this.load.connections;
  }

  get busy(): number {
    return this.load.busy;
  }

  get queued(): number {
    return this.load.queued;
  }

  get fresh(): number {
    return this.load.fresh;
  }

  get meanRequestMs(): number | undefined {
    return this.load.meanRequestMs;
  }

  get runningMs(): number {
    const oldest = this.load.oldestStart();
    return oldest === undefined ? 0 : epochNow() - oldest;
  }

  get endedSinceHanded(): boolean {
    const lastEnd = this.load.lastEnd();
    return lastEnd !== undefined && lastEnd > this.#freshSince;
  }

  /** A connection is handed to it. */
  handed(): void {
    if (this.load.fresh === 0) this.#freshSince = epochNow();
    this.load.handed();
  }
}

/**
 * How long a retiring thread keeps its idle connections open while its responses say
 * Connection: close: a keep-alive client that sends its next request meanwhile is answered,
 * instead of racing the close of its idle connection.
 */
const IDLE_LINGER_MS = 1_000;
const RETRY_AFTER_SECONDS = "1";
/** The application label of a connection answered before any thread read its request. */
const UNREAD = "(unread)";
/** How long a refused connection may still send (and have dropped) what it sent, before it is cut. */
const LINGER_MS = 5_000;
/** How often the drain looks whether the connections waiting for a thread have all been placed. */
const WAITING_POLL_MS = 20;
/** How often the main thread looks for a thread blocked past the request timeout. */
const WATCHDOG_MS = 250;
/** The thread's own timer answers 504 first; past this, its event loop is blocked. */
const BLOCKED_GRACE_MS = 1_000;
/** How long a scrape waits for a thread's report (a blocked thread never answers). */
const REPORT_WAIT_MS = 250;

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
  readonly #waiting: WaitQueue<Socket>;
  readonly #reports = new Map<number, () => void>();
  /** Who waits for a thread's connections to close (its retirement, the drain). */
  readonly #closedWaiters = new Map<ConnectionThread, (() => void)[]>();
  #nextReport = 1;
  #state: PoolState = { kind: "starting" };
  #closed = false;
  #timers: NodeJS.Timeout[] = [];
  #holdTimer: NodeJS.Timeout | undefined;
  readonly #cores: number;

  constructor(options: ConnectionPoolOptions) {
    this.#options = options;
    this.#cores = options.cores;
    this.group = options.workerData.applicationGroup;
    this.#log = options.logger.child({ applicationGroup: this.group });
    this.#waiting = new WaitQueue<Socket>({
      capacity: options.serving.queueCapacity,
      timeoutMs: options.serving.queueTimeoutMs,
      onTimeout: (socket, waitedMs) => {
        this.#options.metrics.queueWait(this.group, waitedMs / 1000);
        this.#refuse(socket, 503, `no thread of application group ${this.group} became free within the queue timeout (${Math.round(waitedMs)} ms)`);
      },
    });
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
      this.#placeWaiting();
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
    const placed = this.#state.kind === "ready" && this.#waiting.length === 0 ? this.#place(socket, 0) : "wait";
    if (placed === "placed") return;
    if (!this.#waiting.push(socket)) {
      // Connections held back (HOLD_MS) may fill the backlog while a thread has room: that
      // thread takes this one rather than the client getting a 503.
      if (this.#state.kind === "ready" && this.#place(socket, HOLD_MS) === "placed") return;
      return this.#refuse(socket, 503, `all threads of application group ${this.group} are busy and ${this.#options.serving.queueCapacity} requests are already waiting (listenBacklog)`);
    }
    if (placed === "held") this.#holdFor(HOLD_MS);
    this.#wantRoom();
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
    while (this.#waiting.length > 0 && performance.now() < deadline) await new Promise((resolve) => setTimeout(resolve, WAITING_POLL_MS));
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
    for (const socket of this.#waiting.clear()) this.#refuse(socket, 503, "the process is shutting down");
    for (const t of [...this.#threads.values()]) this.#discard(t);
    for (const done of this.#reports.values()) done();
  }

  /** Asks every thread for what it observed, so a scrape counts every answered request. */
  async collect(): Promise<void> {
    const live = [...this.#threads.values()].filter((t) => t.thread.state !== "starting" && t.thread.state !== "gone");
    await Promise.all(
      live.map(
        (t) =>
          new Promise<void>((resolve) => {
            const call = this.#nextReport++;
            const timer = setTimeout(() => this.#reports.delete(call) && resolve(), REPORT_WAIT_MS);
            this.#reports.set(call, () => {
              clearTimeout(timer);
              this.#reports.delete(call);
              resolve();
            });
            this.#post(t, { t: "report", call });
          }),
      ),
    );
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
    this.#placeWaiting();
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
        else this.#placeWaiting();
        return;
      }
      this.#discard(fresh);
      this.#log.error({ reason, error }, "a replacement thread failed to load");
      if (this.#threads.size === 0) this.#fail(`application group ${this.group} failed to load: ${error}`);
    });
  }

  /** Hands `socket` to a thread, or says it must wait, or be held back a moment longer (it waited `waitedMs`). */
  #place(socket: Socket, waitedMs: number): "placed" | "held" | "wait" {
    const chosen = placeConnection(this.#candidates(), this.#options.serving.concurrency, this.#cores, waitedMs < HOLD_MS);
    if (chosen === undefined) return "wait";
    if (chosen === HOLD) return "held";
    chosen.handed();
    this.#post(chosen, { t: "connection", socket }, [socket]);
    return "placed";
  }

  /** Looks at the waiting connections again in `ms`, when the oldest one's hold ends. */
  #holdFor(ms: number): void {
    if (this.#holdTimer !== undefined) return;
    this.#holdTimer = setTimeout(() => {
      this.#holdTimer = undefined;
      this.#placeWaiting();
    }, Math.max(1, Math.ceil(ms))).unref();
  }

  /** The threads that take new connections. */
  #candidates(): ConnectionThread[] {
    return [...this.#threads.values()].filter((t) => !t.leaving && t.thread.state === "serving");
  }

  #placeWaiting(): void {
    if (this.#state.kind !== "ready") return;
    for (;;) {
      const next = this.#waiting.peek();
      if (next === undefined) return;
      const waitedMs = this.#waiting.headWaitedMs();
      const placed = this.#place(next, waitedMs);
      if (placed === "held") this.#holdFor(HOLD_MS - waitedMs);
      if (placed !== "placed") return this.#wantRoom();
      const shifted = this.#waiting.shift();
      if (shifted) this.#options.metrics.queueWait(this.group, shifted.waitedMs / 1000);
    }
  }

  /** Asks every thread to say when a request ends; a thread may have made room meanwhile, so look again. */
  #wantRoom(): void {
    for (const t of this.#threads.values()) t.load.want();
    if (this.#state.kind !== "ready") return;
    const chosen = placeConnection(this.#candidates(), this.#options.serving.concurrency, this.#cores, true);
    if (chosen !== undefined && chosen !== HOLD) setImmediate(() => this.#placeWaiting());
  }

  #post(t: ConnectionThread, message: ToConnectionThread, transfer: readonly object[] = []): void {
    if (t.thread.state === "gone") return;
    t.thread.worker.postMessage(message, transfer as never);
  }

  /**
   * Answers a connection no thread took, before its request was read (reading it here would
   * keep the socket from ever moving to a thread): a whole response that closes it.
   */
  #refuse(socket: Socket, status: number, message: string): void {
    this.#options.metrics.answered(UNREAD, status, 0);
    const body = `${message}\n`;
    const retry = status === 503 ? `Retry-After: ${RETRY_AFTER_SECONDS}\r\n` : "";
    socket.end(`HTTP/1.1 ${status} ${nodeHttp.STATUS_CODES[status] ?? "Error"}\r\nConnection: close\r\nContent-Type: text/plain; charset=utf-8\r\n${retry}Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`);
    socket.on("error", () => {});
    socket.resume();
    socket.setTimeout(LINGER_MS, () => socket.destroy());
  }

  #fail(error: string): void {
    this.#state = { kind: "failed", error };
    this.#log.error({ error }, "application group failed to load");
    for (const socket of this.#waiting.clear()) this.#refuse(socket, 500, loadFailedAnswer(this.group));
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
        return this.#placeWaiting();
      case "observed":
        this.#record(message.observed);
        if (message.call !== undefined) this.#reports.get(message.call)?.();
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
    let queued = this.#waiting.length;
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
