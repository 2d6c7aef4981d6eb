import type { Logger } from "pino";
import { PoolThread, type RecycleReason } from "./pool-thread.ts";
import type { FromWorker, WorkerData } from "./protocol.ts";

export interface LifeCycleOptions {
  readonly workerData: WorkerData;
  readonly threads: number;
  readonly concurrency: number;
  readonly maximumRequests: number | undefined;
  readonly gracefulTimeoutMs: number;
  readonly restartIntervalMs: number | undefined;
  readonly memoryLimitMb: number | undefined;
  readonly log: Logger;
}

/** How the life cycle tells its pool what happened to a thread. */
export interface LifeCycleEvents {
  /** The thread is ready and takes requests. */
  joined(thread: PoolThread): void;
  /** The thread takes no new requests; it finishes what it runs, or ends. */
  left(thread: PoolThread): void;
  /** The thread ended; whatever still runs on it is answered `status`. */
  ended(thread: PoolThread, status: number, message: string, headers?: Readonly<Record<string, string>>): void;
  /** How many requests run on the thread. */
  load(thread: PoolThread): number;
  message(thread: PoolThread, message: FromWorker): void;
  recycled(reason: RecycleReason): void;
  /** No thread of the group could load its apps. */
  failed(error: string): void;
  /** A generation of threads loaded (again): the group serves. */
  serving(): void;
  /** True while the group is failed (no generation ever loaded, or the last one was lost). */
  groupFailed(): boolean;
}

function errorText(error: unknown): string {
  return String((error as Error | undefined)?.message ?? error);
}

/**
 * The threads of one application group from spawn to end: a generation loads before it takes
 * requests; threads are replaced (the new one first) after maximumRequests, on
 * restartInterval and on reload, and retire gracefully (they finish what they run, for at
 * most the graceful timeout); a thread that timed out or crashed is ended at once and a fresh
 * one spawned.
 */
export class ThreadLifeCycle {
  readonly #options: LifeCycleOptions;
  readonly #events: LifeCycleEvents;
  readonly #threads = new Set<PoolThread>();
  #closed = false;
  #restartTimer: NodeJS.Timeout | undefined;

  constructor(options: LifeCycleOptions, events: LifeCycleEvents) {
    this.#options = options;
    this.#events = events;
  }

  get size(): number {
    return this.#threads.size;
  }

  /** Spawns the first generation; resolves with the load error, if any. */
  async start(): Promise<string | undefined> {
    const fresh = this.#spawn(this.#options.threads);
    const error = await this.#allReady(fresh);
    if (error !== undefined) for (const t of fresh) this.#end(t, 500, error);
    else for (const t of fresh) this.#join(t);
    const interval = this.#options.restartIntervalMs;
    if (interval !== undefined && !this.#closed) {
      this.#restartTimer = setInterval(() => void this.replaceAll("restart-interval"), interval);
      this.#restartTimer.unref();
    }
    return error;
  }

  /** Replaces every serving thread gracefully (a group without any gets a first generation). */
  async replaceAll(reason: RecycleReason): Promise<boolean> {
    const failed = this.#events.groupFailed();
    const olds = [...this.#threads].filter((t) => t.state === "serving");
    // Only threads still loading (crash replacements): they are new already.
    if (olds.length === 0 && !failed) return false;
    return this.#replace(olds, reason, olds.length === 0 ? this.#options.threads : olds.length, failed);
  }

  /** A request ended on the thread: it may have served its maximum. */
  served(thread: PoolThread): void {
    thread.served += 1;
    const max = this.#options.maximumRequests;
    if (max !== undefined && thread.served >= max && !thread.replacing && thread.state === "serving") {
      thread.replacing = true;
      void this.#replace([thread], "maximum-requests", 1, false);
    }
  }

  /** The thread runs nothing any more: a retiring one ends. */
  idle(thread: PoolThread): void {
    if (thread.state === "retiring") this.#end(thread, 503, "the thread was replaced");
  }

  /** A thread that cannot be reused (timed out, crashed): out now, a fresh one in. */
  replaceNow(thread: PoolThread, reason: RecycleReason, status: number, message: string): void {
    const wasLeaving = thread.leaving;
    this.#end(thread, status, message);
    if (wasLeaving) return;
    this.#events.recycled(reason);
    if (this.#closed) return;
    const [fresh] = this.#spawn(1);
    if (!fresh) return;
    fresh.ready.then(
      () => (this.#closed ? this.#end(fresh, 503, "the process is shutting down") : this.#join(fresh)),
      (error: unknown) => {
        this.#end(fresh, 500, errorText(error));
        this.#options.log.error({ reason, error: String(error) }, "a replacement thread failed to load");
        if (this.#threads.size === 0) this.#events.failed(errorText(error));
      },
    );
  }

  /** Ends every thread; what still runs on them is answered `reason`. */
  close(reason: string): void {
    this.#closed = true;
    clearInterval(this.#restartTimer);
    for (const thread of this.#threads) this.#end(thread, 503, reason, { connection: "close" });
  }

  #spawn(count: number): PoolThread[] {
    return Array.from({ length: count }, () => {
      const thread = new PoolThread(this.#options.workerData, this.#options, {
        message: (t, m) => this.#events.message(t, m),
        died: (t, reason, message) => this.#died(t, reason, message),
      });
      this.#threads.add(thread);
      return thread;
    });
  }

  async #allReady(threads: PoolThread[]): Promise<string | undefined> {
    const results = await Promise.allSettled(threads.map((t) => t.ready));
    const failure = results.find((r) => r.status === "rejected");
    return failure ? errorText(failure.reason) : undefined;
  }

  #join(thread: PoolThread): void {
    thread.state = "serving";
    this.#events.joined(thread);
  }

  async #replace(olds: PoolThread[], reason: RecycleReason, count: number, failed: boolean): Promise<boolean> {
    if (this.#closed) return false;
    const fresh = this.#spawn(count);
    const error = await this.#allReady(fresh);
    if (this.#closed) {
      for (const t of fresh) this.#end(t, 503, "the process is shutting down");
      return false;
    }
    if (error !== undefined) {
      for (const t of fresh) this.#end(t, 500, error);
      for (const t of olds) t.replacing = false;
      this.#options.log.error({ reason, error }, "replacement threads failed to load; the old threads keep serving");
      if (failed || this.#threads.size === 0) this.#events.failed(error);
      return false;
    }
    // Threads that left meanwhile (crashed, timed out, replaced by a concurrent reload) were
    // replaced already: take only as many fresh threads as there are old ones to retire.
    const live = olds.length === 0 ? [] : olds.filter((t) => this.#threads.has(t) && t.state === "serving");
    const joining = olds.length === 0 ? fresh : fresh.slice(0, live.length);
    for (const t of fresh.slice(joining.length)) this.#end(t, 503, "the thread was not needed");
    this.#events.serving();
    for (const old of live) this.#retire(old, reason);
    for (const t of joining) this.#join(t);
    this.#options.log.info({ reason, threads: joining.map((t) => t.threadId), replaced: live.map((t) => t.threadId) }, "threads replaced");
    return true;
  }

  /** Takes a thread out of service: now if it runs nothing, else once its requests end. */
  #retire(thread: PoolThread, reason: RecycleReason): void {
    if (thread.state === "gone") return;
    this.#events.recycled(reason);
    thread.leaving = true;
    this.#events.left(thread);
    if (this.#events.load(thread) === 0) return this.#end(thread, 503, `the thread was replaced (${reason})`);
    thread.state = "retiring";
    setTimeout(() => {
      if (thread.state === "retiring") this.#end(thread, 503, `the thread was replaced (${reason}) and the request did not finish within the graceful timeout`);
    }, this.#options.gracefulTimeoutMs).unref();
  }

  #end(thread: PoolThread, status: number, message: string, headers?: Readonly<Record<string, string>>): void {
    if (!this.#threads.delete(thread)) return;
    this.#events.left(thread);
    thread.stop();
    this.#events.ended(thread, status, message, headers);
  }

  #died(thread: PoolThread, reason: RecycleReason, message: string): void {
    this.#options.log.error({ threadId: thread.threadId, reason, error: message, inFlight: this.#events.load(thread) }, "a thread died");
    this.replaceNow(thread, reason, reason === "memory-limit" ? 503 : 502, `the thread serving this request died (${reason}): ${message}`);
  }
}
