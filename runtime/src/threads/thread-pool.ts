import type { Logger } from "pino";
import { PoolThread, type RecycleReason } from "./pool-thread.ts";
import type { FromWorker, ToWorker, WorkerData } from "./protocol.ts";
import { loadFailedAnswer } from "./load-failure.ts";
import { SharedStore } from "./shared-store.ts";
import { WaitQueue } from "./wait-queue.ts";

export type ResponseMessage = Extract<FromWorker, { t: "head" | "chunk" | "failed" }>;

/** One request as the pool sees it; the HTTP front implements it. */
export interface Job {
  /** Index of the app in the group's WorkerData.applications. */
  readonly app: number;
  /** No body follows the head, so a thread can hold the request until it is free. */
  readonly bodyless: boolean;
  /** Sends the request to a thread: the head, then the body as it arrives. */
  start(id: number, send: (message: ToWorker, transfer?: ArrayBuffer[]) => void): void;
  /** A part of the response; true once the response has ended. */
  receive(message: ResponseMessage): boolean;
  /** The app has read `bytes` more of the body. */
  bodyRead(bytes: number): void;
  /** Answers with an error if nothing was answered yet, else cuts the response short. */
  fail(status: number, message: string, headers?: Readonly<Record<string, string>>): void;
}

/** What the pool reports, for metrics. */
export interface PoolObserver {
  threadState(group: string, threadId: number, state: "idle" | "busy" | "gone"): void;
  queueLength(group: string, length: number): void;
  queueWait(group: string, seconds: number): void;
  recycled(group: string, reason: RecycleReason): void;
}

export interface ThreadPoolOptions {
  readonly workerData: WorkerData;
  readonly threads: number;
  readonly maximumRequests: number | undefined;
  readonly requestTimeoutMs: number | undefined;
  readonly queueTimeoutMs: number | undefined;
  readonly queueCapacity: number;
  readonly gracefulTimeoutMs: number;
  readonly restartIntervalMs: number | undefined;
  readonly memoryLimitMb: number | undefined;
  readonly logger: Logger;
  readonly observer: PoolObserver;
}

export type PoolState = { readonly kind: "starting" } | { readonly kind: "ready" } | { readonly kind: "failed"; readonly error: string };

interface Running {
  readonly id: number;
  readonly job: Job;
  timer: NodeJS.Timeout | undefined;
}

/** A request handed to a busy thread ahead of time: it still waits, inside that thread. */
interface HandedOver extends Running {
  readonly since: number;
  /** Why it was asked back, while the thread has not answered yet. */
  recall: "thread-free" | "queue-timeout" | "client-gone" | undefined;
}

const RETRY_AFTER_SECONDS = "1";
let nextJobId = 1;

/**
 * The worker threads of one application group in one process, like the threads of a mod_wsgi
 * daemon process: each serves one request at a time; requests wait in a bounded queue for an
 * idle thread; threads are replaced (the new one first) after maximumRequests, on
 * restartInterval and on reload, and replaced at once when they time out or crash.
 *
 * Waking a sleeping thread costs more than a small request itself, so when every thread is
 * busy a request without a body is handed to a busy thread ahead of time, one at most per
 * thread; the thread starts it as soon as its current request ends. It still counts as
 * waiting (queue capacity, queue timeout), and it is asked back the moment another thread
 * goes idle, so a request never waits behind a slow one while a thread is free.
 */
export class ThreadPool {
  readonly group: string;
  readonly shared = new SharedStore();
  readonly #options: ThreadPoolOptions;
  readonly #log: Logger;
  readonly #threads = new Set<PoolThread>();
  readonly #idle: PoolThread[] = [];
  readonly #running = new Map<PoolThread, Running>();
  readonly #handedOver = new Map<PoolThread, HandedOver>();
  readonly #queue: WaitQueue<Job>;
  #state: PoolState = { kind: "starting" };
  #closed = false;
  #restartTimer: NodeJS.Timeout | undefined;
  #recallScheduled = false;

  constructor(options: ThreadPoolOptions) {
    this.#options = options;
    this.group = options.workerData.applicationGroup;
    this.#log = options.logger.child({ applicationGroup: this.group });
    this.#queue = new WaitQueue<Job>({
      capacity: options.queueCapacity,
      timeoutMs: options.queueTimeoutMs,
      onTimeout: (job, waitedMs) => {
        this.#queueChanged();
        this.#timedOut(job, waitedMs);
      },
    });
  }

  get state(): PoolState {
    return this.#state;
  }

  /** Starts the threads; resolves when all have loaded the group's apps, or the group failed to. */
  async start(): Promise<PoolState> {
    const fresh = this.#spawn(this.#options.threads);
    const error = await this.#allReady(fresh);
    if (error !== undefined) {
      for (const t of fresh) this.#discard(t);
      this.#fail(`application group ${this.group} failed to load: ${error}`);
    } else {
      for (const t of fresh) this.#becomeIdle(t);
      this.#state = { kind: "ready" };
    }
    const interval = this.#options.restartIntervalMs;
    if (interval !== undefined && !this.#closed) {
      this.#restartTimer = setInterval(() => void this.replaceAll("restart-interval"), interval);
      this.#restartTimer.unref();
    }
    return this.#state;
  }

  /** Serves the job on an idle thread, or queues it, or answers it at once. */
  submit(job: Job): void {
    if (this.#closed) return job.fail(503, "the process is shutting down", { connection: "close" });
    if (this.#state.kind === "failed") return job.fail(500, loadFailedAnswer(this.group));
    const thread = this.#idle.pop();
    if (thread) return this.#run(thread, job);
    if (this.#queue.length + this.#handedOver.size >= this.#options.queueCapacity) {
      return job.fail(503, `all threads of application group ${this.group} are busy and ${this.#options.queueCapacity} requests are already waiting (listenBacklog)`, {
        "retry-after": RETRY_AFTER_SECONDS,
      });
    }
    // First come, first served: while others wait in the queue, a newcomer joins them.
    const busy = job.bodyless && this.#queue.length === 0 ? this.#threadToHandOverTo() : undefined;
    if (busy) return this.#handOver(busy, job, 0);
    this.#queue.push(job);
    this.#queueChanged();
  }

  /** A job whose client went away before it was served. */
  withdraw(job: Job): void {
    if (this.#queue.remove(job)) return this.#queueChanged();
    for (const [thread, handed] of this.#handedOver) if (handed.job === job) this.#recall(thread, handed, "client-gone");
  }

  /**
   * Replaces every thread gracefully: a new generation loads first and takes new requests
   * once all of it is ready; the old threads finish what they are doing and leave. If the new
   * generation fails to load, the old one keeps serving (a failed group gets its first one).
   */
  async replaceAll(reason: RecycleReason): Promise<boolean> {
    const olds = [...this.#threads].filter((t) => t.state === "idle" || t.state === "busy");
    // Only threads still loading (crash replacements): they are new already.
    if (olds.length === 0 && this.#state.kind !== "failed") return false;
    return this.#replace(olds, reason, olds.length === 0 ? this.#options.threads : olds.length);
  }

  /** Ends every thread; what still runs or waits is answered 503. */
  close(reason = "the process is shutting down"): void {
    this.#closed = true;
    clearInterval(this.#restartTimer);
    for (const job of this.#queue.clear()) job.fail(503, reason, { connection: "close" });
    for (const map of [this.#running, this.#handedOver]) {
      for (const [thread, running] of map) {
        clearTimeout(running.timer);
        running.job.fail(503, reason, { connection: "close" });
        map.delete(thread);
      }
    }
    for (const thread of this.#threads) this.#discard(thread);
    this.#idle.length = 0;
    this.#queueChanged();
  }

  #spawn(count: number): PoolThread[] {
    return Array.from({ length: count }, () => {
      const thread = new PoolThread(this.#options.workerData, this.#options.memoryLimitMb, {
        message: (t, m) => this.#onMessage(t, m),
        died: (t, reason, message) => this.#onDied(t, reason, message),
      });
      this.#threads.add(thread);
      return thread;
    });
  }

  async #allReady(threads: PoolThread[]): Promise<string | undefined> {
    const results = await Promise.allSettled(threads.map((t) => t.ready));
    const failure = results.find((r) => r.status === "rejected");
    return failure ? String((failure.reason as Error).message ?? failure.reason) : undefined;
  }

  async #replace(olds: PoolThread[], reason: RecycleReason, count: number): Promise<boolean> {
    if (this.#closed) return false;
    const fresh = this.#spawn(count);
    const error = await this.#allReady(fresh);
    if (this.#closed) {
      for (const t of fresh) this.#discard(t);
      return false;
    }
    if (error !== undefined) {
      for (const t of fresh) this.#discard(t);
      for (const t of olds) t.replacing = false;
      this.#log.error({ reason, error }, "replacement threads failed to load; the old threads keep serving");
      if (this.#state.kind === "failed" || this.#threads.size === 0) this.#fail(`application group ${this.group} failed to load: ${error}`);
      return false;
    }
    // Threads that left meanwhile (crashed, timed out, replaced by a concurrent reload) were
    // replaced already: take only as many fresh threads as there are old ones to retire.
    const live = olds.length === 0 ? [] : olds.filter((t) => this.#threads.has(t) && t.state !== "retiring");
    const joining = olds.length === 0 ? fresh : fresh.slice(0, live.length);
    for (const t of fresh.slice(joining.length)) this.#discard(t);
    this.#state = { kind: "ready" };
    for (const old of live) this.#retire(old, reason);
    for (const t of joining) this.#becomeIdle(t);
    this.#log.info({ reason, threads: joining.map((t) => t.threadId), replaced: live.map((t) => t.threadId) }, "threads replaced");
    return true;
  }

  /** Takes a thread out of service: now if idle, after its request if busy. */
  #retire(thread: PoolThread, reason: RecycleReason): void {
    if (thread.state === "gone") return;
    this.#options.observer.recycled(this.group, reason);
    thread.leaving = true;
    if (thread.state !== "busy") return this.#discard(thread);
    thread.state = "retiring";
    const running = this.#running.get(thread);
    setTimeout(() => {
      if (thread.state !== "retiring") return;
      const current = this.#running.get(thread);
      if (current === running && current) {
        this.#finish(thread, current);
        current.job.fail(503, `the thread was replaced (${reason}) and the request did not finish within the graceful timeout`);
      }
      this.#discard(thread);
    }, this.#options.gracefulTimeoutMs).unref();
  }

  #discard(thread: PoolThread): void {
    const index = this.#idle.indexOf(thread);
    if (index !== -1) this.#idle.splice(index, 1);
    if (this.#threads.delete(thread)) this.#options.observer.threadState(this.group, thread.threadId, "gone");
    thread.stop();
    // A request that waited inside the thread never started: it waits elsewhere.
    const handed = this.#handedOver.get(thread);
    if (handed) {
      this.#handedOver.delete(thread);
      clearTimeout(handed.timer);
      this.#queueChanged();
      if (handed.recall === "client-gone") handed.job.fail(503, "the client closed the request");
      else this.submit(handed.job);
    }
  }

  #fail(error: string): void {
    this.#state = { kind: "failed", error };
    this.#log.error({ error }, "application group failed to load");
    for (const job of this.#queue.clear()) job.fail(500, loadFailedAnswer(this.group));
    this.#queueChanged();
  }

  #becomeIdle(thread: PoolThread): void {
    if (thread.state === "retiring") return this.#discard(thread);
    const next = this.#queue.shift();
    if (next) {
      this.#queueChanged();
      this.#options.observer.queueWait(this.group, next.waitedMs / 1000);
      return this.#run(thread, next.item);
    }
    thread.state = "idle";
    this.#idle.push(thread);
    this.#options.observer.threadState(this.group, thread.threadId, "idle");
    this.#scheduleRecalls();
  }

  #timedOut(job: Job, waitedMs: number): void {
    this.#options.observer.queueWait(this.group, waitedMs / 1000);
    job.fail(503, `no thread of application group ${this.group} became free within the queue timeout (${Math.round(waitedMs)} ms)`, { "retry-after": RETRY_AFTER_SECONDS });
  }

  #threadToHandOverTo(): PoolThread | undefined {
    for (const thread of this.#threads) if (thread.state === "busy" && !thread.leaving && !this.#handedOver.has(thread)) return thread;
    return undefined;
  }

  /** Hands `job`, which has waited `waitedMs` so far, to a busy thread to start next. */
  #handOver(thread: PoolThread, job: Job, waitedMs: number): void {
    const timeout = this.#options.queueTimeoutMs;
    const handed: HandedOver = { id: nextJobId++, job, timer: undefined, since: performance.now() - waitedMs, recall: undefined };
    if (timeout !== undefined) handed.timer = setTimeout(() => this.#recall(thread, handed, "queue-timeout"), Math.max(0, timeout - waitedMs));
    this.#handedOver.set(thread, handed);
    this.#queueChanged();
    job.start(handed.id, (message, transfer) => {
      if (this.#handedOver.get(thread) === handed || this.#running.get(thread) === handed) thread.send(message, transfer);
    });
  }

  /**
   * Asks handed-over requests back for the threads that are idle, once the messages and
   * requests that arrived with this turn of the event loop have been dealt with. Under load
   * the main thread reads many responses in one turn: a thread that goes idle early in it is
   * usually taken by a new request in the same turn, and the thread holding a request often
   * starts it in the same turn too; recalling at once cost a round trip to a busy thread, a
   * resubmission and the wake of a sleeping one for about a quarter of the requests.
   */
  #scheduleRecalls(): void {
    if (this.#recallScheduled || this.#handedOver.size === 0) return;
    this.#recallScheduled = true;
    setImmediate(() => {
      this.#recallScheduled = false;
      let free = this.#idle.length;
      for (const handed of this.#handedOver.values()) if (handed.recall === "thread-free") free -= 1;
      for (const [busy, handed] of this.#handedOver) {
        if (free <= 0) return;
        if (handed.recall !== undefined) continue;
        this.#recall(busy, handed, "thread-free");
        free -= 1;
      }
    });
  }

  #recall(thread: PoolThread, handed: HandedOver, why: NonNullable<HandedOver["recall"]>): void {
    if (this.#handedOver.get(thread) !== handed || handed.recall !== undefined) return;
    handed.recall = why;
    thread.send({ t: "recall", id: handed.id });
  }

  /** The thread gave a request back (or had started it already: then nothing changes). */
  #recalled(thread: PoolThread, id: number, ok: boolean): void {
    const handed = this.#handedOver.get(thread);
    if (handed?.id !== id) return;
    if (!ok) {
      handed.recall = undefined;
      // It had started already: an idle thread may still be owed another waiting request.
      this.#scheduleRecalls();
      return;
    }
    this.#handedOver.delete(thread);
    clearTimeout(handed.timer);
    this.#queueChanged();
    const waitedMs = performance.now() - handed.since;
    if (handed.recall === "client-gone") return handed.job.fail(503, "the client closed the request");
    if (handed.recall === "queue-timeout") return this.#timedOut(handed.job, waitedMs);
    this.submit(handed.job);
  }

  /** The thread finished its request and went straight on to the one it held. */
  #startHandedOver(thread: PoolThread, handed: HandedOver): void {
    this.#handedOver.delete(thread);
    clearTimeout(handed.timer);
    handed.timer = undefined;
    handed.recall = undefined;
    this.#queueChanged();
    this.#options.observer.queueWait(this.group, (performance.now() - handed.since) / 1000);
    this.#running.set(thread, handed);
    this.#startRequestTimer(thread, handed);
    // The thread is awake and busy again: give it the next waiting request to hold.
    if (!thread.leaving && this.#queue.peek()?.bodyless) {
      const next = this.#queue.shift();
      if (next) this.#handOver(thread, next.item, next.waitedMs);
    }
  }

  #run(thread: PoolThread, job: Job): void {
    thread.state = "busy";
    this.#options.observer.threadState(this.group, thread.threadId, "busy");
    const running: Running = { id: nextJobId++, job, timer: undefined };
    this.#running.set(thread, running);
    this.#startRequestTimer(thread, running);
    job.start(running.id, (message, transfer) => {
      if (this.#running.get(thread) === running) thread.send(message, transfer);
    });
  }

  #startRequestTimer(thread: PoolThread, running: Running): void {
    const timeout = this.#options.requestTimeoutMs;
    if (timeout === undefined) return;
    running.timer = setTimeout(() => {
      if (this.#running.get(thread) !== running) return;
      this.#finish(thread, running);
      running.job.fail(504, `the request ran longer than the request timeout (${timeout / 1000} s); its thread was replaced`);
      this.#replaceNow(thread, "request-timeout");
    }, timeout);
  }

  #finish(thread: PoolThread, running: Running): void {
    clearTimeout(running.timer);
    this.#running.delete(thread);
    thread.served += 1;
  }

  #onMessage(thread: PoolThread, message: FromWorker): void {
    if (message.t === "shared") {
      let reply: ToWorker;
      try {
        reply = { t: "shared-result", call: message.call, ok: true, value: this.shared.apply(message.op) };
      } catch (error) {
        reply = { t: "shared-result", call: message.call, ok: false, value: (error as Error).message };
      }
      return thread.send(reply);
    }
    if (message.t === "recalled") return this.#recalled(thread, message.id, message.ok);
    if (message.t !== "head" && message.t !== "chunk" && message.t !== "failed" && message.t !== "body-read") return;
    const running = this.#running.get(thread);
    if (running?.id !== message.id) return;
    if (message.t === "body-read") return running.job.bodyRead(message.bytes);
    if (!running.job.receive(message)) return;
    this.#finish(thread, running);
    const max = this.#options.maximumRequests;
    if (max !== undefined && thread.served >= max && !thread.replacing && thread.state === "busy") {
      thread.replacing = true;
      void this.#replace([thread], "maximum-requests", 1);
    }
    const handed = this.#handedOver.get(thread);
    if (handed) return this.#startHandedOver(thread, handed);
    this.#becomeIdle(thread);
  }

  /** A thread that cannot be reused (timed out, crashed): out now, a fresh one in. */
  #replaceNow(thread: PoolThread, reason: RecycleReason): void {
    const wasLeaving = thread.leaving;
    this.#discard(thread);
    if (wasLeaving) return;
    this.#options.observer.recycled(this.group, reason);
    if (this.#closed) return;
    const [fresh] = this.#spawn(1);
    if (!fresh) return;
    fresh.ready.then(
      () => (this.#closed ? this.#discard(fresh) : this.#becomeIdle(fresh)),
      (error: unknown) => {
        this.#discard(fresh);
        this.#log.error({ reason, error: String(error) }, "a replacement thread failed to load");
        if (this.#threads.size === 0) this.#fail(`application group ${this.group} failed to load: ${String((error as Error).message ?? error)}`);
      },
    );
  }

  #onDied(thread: PoolThread, reason: RecycleReason, message: string): void {
    const running = this.#running.get(thread);
    this.#log.error({ threadId: thread.threadId, reason, error: message, inFlight: running !== undefined }, "a thread died");
    if (running) {
      this.#finish(thread, running);
      running.job.fail(reason === "memory-limit" ? 503 : 502, `the thread serving this request died (${reason}): ${message}`);
    }
    this.#replaceNow(thread, reason);
  }

  #queueChanged(): void {
    this.#options.observer.queueLength(this.group, this.#queue.length + this.#handedOver.size);
  }
}
