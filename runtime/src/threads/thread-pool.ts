import type { Logger } from "pino";
import type { PoolThread, RecycleReason } from "./pool-thread.ts";
import type { FromWorker, ToWorker, WorkerData } from "./protocol.ts";
import { loadFailedAnswer } from "./load-failure.ts";
import { Scheduler, type Command } from "./scheduler.ts";
import { SharedStore } from "./shared-store.ts";
import { ThreadLifeCycle } from "./thread-life-cycle.ts";
import { onceThreadOf } from "../once/once-thread.ts";
import type { OnceService } from "../once/once-service.ts";
import { sharedReply } from "./shared-reply.ts";

export type ResponseMessage = Extract<FromWorker, { t: "head" | "chunk" | "failed" }>;

/** One request as the pool sees it; the HTTP front implements it. */
export interface Job {
  /** Index of the app in the group's WorkerData.applications. */
  readonly app: number;
  /** No body follows the head, so a full thread can hold the request until it has room. */
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
  /** How many requests one thread runs at once; 1 when absent (a mod_wsgi thread). */
  readonly concurrency?: number;
  readonly maximumRequests: number | undefined;
  readonly requestTimeoutMs: number | undefined;
  readonly queueTimeoutMs: number | undefined;
  readonly queueCapacity: number;
  readonly gracefulTimeoutMs: number;
  readonly restartIntervalMs: number | undefined;
  readonly memoryLimitMb: number | undefined;
  readonly logger: Logger;
  readonly observer: PoolObserver;
  /** The process's env.once() coordinator, shared by all its pools. */
  readonly once?: OnceService | undefined;
}

export type PoolState = { readonly kind: "starting" } | { readonly kind: "ready" } | { readonly kind: "failed"; readonly error: string };

interface Running {
  readonly id: number;
  readonly job: Job;
  readonly timer: NodeJS.Timeout | undefined;
}

/** A job a full thread holds: it still waits (see Scheduler). */
interface Held {
  readonly id: number;
  readonly token: number;
  readonly job: Job;
}

let nextJobId = 1;

/**
 * The worker threads of one application group in one process, like the threads of a mod_wsgi
 * daemon process. A thin shell: the Scheduler decides which request runs where and when,
 * the ThreadLifeCycle spawns, retires and replaces threads; this wires them to the threads'
 * messages and ClaimSlots, the request timeout and the one timer of the queue timeouts.
 */
export class ThreadPool {
  readonly group: string;
  readonly shared = new SharedStore();
  readonly #options: ThreadPoolOptions;
  readonly #log: Logger;
  readonly #scheduler: Scheduler<PoolThread, Job>;
  readonly #threads: ThreadLifeCycle;
  readonly #running = new Map<PoolThread, Map<number, Running>>();
  readonly #held = new Map<PoolThread, Held>();
  #state: PoolState = { kind: "starting" };
  #closed = false;
  #queueTimer: NodeJS.Timeout | undefined;
  #queueTimerAt: number | undefined;
  #reportedQueueLength = 0;

  constructor(options: ThreadPoolOptions) {
    this.#options = options;
    this.group = options.workerData.applicationGroup;
    this.#log = options.logger.child({ applicationGroup: this.group });
    const concurrency = options.concurrency ?? 1;
    this.#scheduler = new Scheduler<PoolThread, Job>({
      group: this.group,
      concurrency,
      queueCapacity: options.queueCapacity,
      queueTimeoutMs: options.queueTimeoutMs,
      clock: performance,
      holdable: (job) => job.bodyless,
      revoke: (thread, job) => this.#revoke(thread, job),
      canHold: (thread) => thread.claim.free,
    });
    this.#threads = new ThreadLifeCycle(
      {
        workerData: options.workerData,
        threads: options.threads,
        concurrency,
        maximumRequests: options.maximumRequests,
        gracefulTimeoutMs: options.gracefulTimeoutMs,
        restartIntervalMs: options.restartIntervalMs,
        memoryLimitMb: options.memoryLimitMb,
        log: this.#log,
      },
      {
        joined: (thread) => {
          this.#running.set(thread, new Map());
          options.observer.threadState(this.group, thread.threadId, "idle");
          this.#apply(this.#scheduler.join(thread));
        },
        left: (thread) => this.#apply(this.#scheduler.leave(thread)),
        ended: (thread, status, message, headers) => this.#ended(thread, status, message, headers),
        load: (thread) => this.#running.get(thread)?.size ?? 0,
        message: (thread, message) => this.#onMessage(thread, message),
        recycled: (reason) => options.observer.recycled(this.group, reason),
        failed: (error) => this.#fail(`application group ${this.group} failed to load: ${error}`),
        serving: () => (this.#state = { kind: "ready" }),
        groupFailed: () => this.#state.kind === "failed",
      },
    );
  }

  get state(): PoolState {
    return this.#state;
  }

  /** Starts the threads; resolves when all have loaded the group's apps, or the group failed to. */
  async start(): Promise<PoolState> {
    const error = await this.#threads.start();
    if (error !== undefined) this.#fail(`application group ${this.group} failed to load: ${error}`);
    else if (this.#state.kind === "starting") this.#state = { kind: "ready" };
    return this.#state;
  }

  /** Serves the job on a thread with room, or queues it, or answers it at once. */
  submit(job: Job): void {
    if (this.#closed) return job.fail(503, "the process is shutting down", { connection: "close" });
    if (this.#state.kind === "failed") return job.fail(500, loadFailedAnswer(this.group));
    this.#apply(this.#scheduler.submit(job));
  }

  /** A job whose client went away before it was served. */
  withdraw(job: Job): void {
    this.#apply(this.#scheduler.withdraw(job));
  }

  /**
   * Replaces every thread gracefully: a new generation loads first and takes new requests
   * once all of it is ready; the old threads finish what they are doing and leave. If the new
   * generation fails to load, the old one keeps serving (a failed group gets its first one).
   */
  replaceAll(reason: RecycleReason): Promise<boolean> {
    return this.#threads.replaceAll(reason);
  }

  /** Ends every thread; what still runs or waits is answered 503. */
  close(reason = "the process is shutting down"): void {
    this.#closed = true;
    this.#apply(this.#scheduler.clear(503, reason, { connection: "close" }));
    this.#threads.close(reason);
    clearTimeout(this.#queueTimer);
  }

  #fail(error: string): void {
    this.#state = { kind: "failed", error };
    this.#log.error({ error }, "application group failed to load");
    this.#apply(this.#scheduler.clear(500, loadFailedAnswer(this.group)));
  }

  #apply(commands: readonly Command<PoolThread, Job>[]): void {
    for (const command of commands) {
      if (command.waitedMs !== undefined) this.#options.observer.queueWait(this.group, command.waitedMs / 1000);
      if (command.kind === "run") this.#run(command.thread, command.job);
      else if (command.kind === "hold") this.#hold(command.thread, command.job);
      else if (command.kind === "started") this.#started(command.thread, command.job);
      else command.job.fail(command.status, command.message, command.headers);
    }
    const length = this.#scheduler.queueLength;
    if (length !== this.#reportedQueueLength) {
      this.#reportedQueueLength = length;
      this.#options.observer.queueLength(this.group, length);
    }
    this.#armQueueTimer();
  }

  /** One timer, for the oldest waiting request: the others wait less long. */
  #armQueueTimer(): void {
    const at = this.#scheduler.nextDeadline;
    if (at === this.#queueTimerAt) return;
    clearTimeout(this.#queueTimer);
    this.#queueTimerAt = at;
    if (at === undefined) return;
    this.#queueTimer = setTimeout(() => {
      this.#queueTimerAt = undefined;
      this.#apply(this.#scheduler.expire());
    }, Math.max(0, at - performance.now()));
    this.#queueTimer.unref();
  }

  #run(thread: PoolThread, job: Job): void {
    const running = this.#running.get(thread);
    if (running === undefined) return job.fail(503, "the thread was replaced");
    const id = nextJobId++;
    this.#track(thread, running, id, job);
    job.start(id, (message, transfer) => {
      if (running.has(id)) thread.send(message, transfer);
    });
  }

  #track(thread: PoolThread, running: Map<number, Running>, id: number, job: Job): void {
    if (running.size === 0) this.#options.observer.threadState(this.group, thread.threadId, "busy");
    const timeout = this.#options.requestTimeoutMs;
    const timer = timeout === undefined ? undefined : setTimeout(() => this.#timedOut(thread, id, timeout), timeout);
    running.set(id, { id, job, timer });
  }

  /** Sends the head to the full thread ahead of time, under a token it must claim to start it. */
  #hold(thread: PoolThread, job: Job): void {
    const running = this.#running.get(thread);
    const held: Held = { id: nextJobId++, token: thread.claim.offer(), job };
    this.#held.set(thread, held);
    job.start(held.id, (message, transfer) => {
      if (this.#held.get(thread) === held) thread.send(message.t === "request" ? { ...message, held: held.token } : message, transfer);
      else if (running?.has(held.id)) thread.send(message, transfer);
    });
  }

  #revoke(thread: PoolThread, job: Job): boolean {
    const held = this.#held.get(thread);
    if (held?.job !== job) return true;
    if (!thread.claim.revoke(held.token)) return false;
    this.#held.delete(thread);
    return true;
  }

  /** The thread claimed the job it held, or will once it reads it: it runs there now, under the id it was sent with. */
  #started(thread: PoolThread, job: Job): void {
    const held = this.#held.get(thread);
    const running = this.#running.get(thread);
    if (held?.job !== job) return;
    this.#held.delete(thread);
    thread.claim.confirm(held.token);
    if (running === undefined) return job.fail(503, "the thread was replaced");
    this.#track(thread, running, held.id, job);
  }

  #timedOut(thread: PoolThread, id: number, timeout: number): void {
    const running = this.#running.get(thread)?.get(id);
    if (running === undefined) return;
    this.#running.get(thread)?.delete(id);
    this.#log.warn({ threadId: thread.threadId, requestTimeoutSeconds: timeout / 1000 }, "a request ran past the request timeout: replacing its thread");
    running.job.fail(504, `the request ran longer than the request timeout (${timeout / 1000} s); its thread was replaced`);
    this.#threads.replaceNow(thread, "request-timeout", 503, "another request on this thread ran longer than the request timeout; the thread was replaced");
  }

  /** The request ended (answered, failed or cut): its room goes to the next. */
  #finish(thread: PoolThread, running: Running): void {
    const runs = this.#running.get(thread);
    if (!runs?.delete(running.id)) return;
    clearTimeout(running.timer);
    this.#threads.served(thread);
    this.#apply(this.#scheduler.finished(thread));
    if (runs.size === 0 && this.#running.get(thread) === runs) {
      this.#options.observer.threadState(this.group, thread.threadId, "idle");
      this.#threads.idle(thread);
    }
  }

  #ended(thread: PoolThread, status: number, message: string, headers: Readonly<Record<string, string>> | undefined): void {
    const runs = this.#running.get(thread);
    this.#running.delete(thread);
    this.#held.delete(thread);
    this.#options.observer.threadState(this.group, thread.threadId, "gone");
    for (const running of runs?.values() ?? []) {
      clearTimeout(running.timer);
      running.job.fail(status, message, headers);
    }
  }

  #onMessage(thread: PoolThread, message: FromWorker): void {
    if (message.t === "shared") return thread.send(sharedReply(this.shared, message));
    if (message.t === "once" || message.t === "once-finished") return this.#options.once?.receive(onceThreadOf(thread), message);
    if (message.t !== "head" && message.t !== "chunk" && message.t !== "failed" && message.t !== "body-read") return;
    const running = this.#running.get(thread)?.get(message.id);
    if (running === undefined) return;
    if (message.t === "body-read") return running.job.bodyRead(message.bytes);
    if (running.job.receive(message)) this.#finish(thread, running);
  }
}
