/** Time as the scheduler reads it, so a test can move it by hand. */
export interface Clock {
  now(): number;
}

export interface SchedulerOptions {
  /** The application group, for the messages of the answers. */
  readonly group: string;
  /** How many requests one thread runs at once. */
  readonly concurrency: number;
  /** How many requests may wait while every thread is full (listenBacklog). */
  readonly queueCapacity: number;
  /** How long a request may wait for a thread (queueTimeoutSeconds); undefined: for ever. */
  readonly queueTimeoutMs: number | undefined;
  readonly clock: Clock;
}

/** What the scheduler asks its shell to do. `waitedMs` is set for a request that waited in the queue. */
export type Command<T, J> =
  | { readonly kind: "run"; readonly job: J; readonly thread: T; readonly waitedMs: number | undefined }
  | {
      readonly kind: "answer";
      readonly job: J;
      readonly status: number;
      readonly message: string;
      readonly headers: Readonly<Record<string, string>>;
      readonly waitedMs: number | undefined;
    };

interface Slot {
  load: number;
  /** When it last had room again: among equally loaded threads the warmest one is taken. */
  freedAt: number;
}

interface Waiting<J> {
  readonly job: J;
  readonly since: number;
}

const RETRY_AFTER = { "retry-after": "1" } as const;

/**
 * Which request runs on which thread, and when (a pure core: events in, commands out, no
 * timers of its own). Each thread runs at most `concurrency` requests; a request that finds
 * every thread full waits in a first-come-first-served queue of at most `queueCapacity`,
 * for at most `queueTimeoutMs`, in the main thread. A waiting request is never given to a
 * thread ahead of time: a thread whose event loop is blocked holds nothing but what it runs,
 * and the next thread with room takes the oldest waiting request.
 */
export class Scheduler<T, J> {
  readonly #options: SchedulerOptions;
  readonly #slots = new Map<T, Slot>();
  readonly #queue: Waiting<J>[] = [];
  #tick = 0;

  constructor(options: SchedulerOptions) {
    if (!Number.isInteger(options.concurrency) || options.concurrency < 1) throw new RangeError(`concurrency must be a whole number >= 1, got ${options.concurrency}`);
    this.#options = options;
  }

  get queueLength(): number {
    return this.#queue.length;
  }

  /** How many requests the thread runs (0 for a thread the scheduler does not know). */
  load(thread: T): number {
    return this.#slots.get(thread)?.load ?? 0;
  }

  /** When the oldest waiting request times out, if it can. */
  get nextDeadline(): number | undefined {
    const timeout = this.#options.queueTimeoutMs;
    const oldest = this.#queue[0];
    return timeout === undefined || oldest === undefined ? undefined : oldest.since + timeout;
  }

  /** A thread is ready for requests: it takes waiting ones at once. */
  join(thread: T): Command<T, J>[] {
    if (this.#slots.has(thread)) return [];
    this.#slots.set(thread, { load: 0, freedAt: ++this.#tick });
    return this.#drain();
  }

  /** A thread takes no more requests (it is retiring, or gone); what it runs is its shell's. */
  leave(thread: T): void {
    this.#slots.delete(thread);
  }

  submit(job: J): Command<T, J>[] {
    const thread = this.#roomiest();
    if (thread !== undefined) return [this.#run(thread, job, undefined)];
    const { queueCapacity, group } = this.#options;
    if (this.#queue.length >= queueCapacity) {
      const message = `all threads of application group ${group} are busy and ${queueCapacity} requests are already waiting (listenBacklog)`;
      return [{ kind: "answer", job, status: 503, message, headers: RETRY_AFTER, waitedMs: undefined }];
    }
    this.#queue.push({ job, since: this.#options.clock.now() });
    return [];
  }

  /** A request ended on the thread: its room goes to the oldest waiting request. */
  finished(thread: T): Command<T, J>[] {
    const slot = this.#slots.get(thread);
    if (slot === undefined || slot.load === 0) return [];
    slot.load -= 1;
    slot.freedAt = ++this.#tick;
    return this.#drain();
  }

  /** A waiting request whose client went away; true if it was waiting. */
  withdraw(job: J): boolean {
    const index = this.#queue.findIndex((w) => w.job === job);
    if (index === -1) return false;
    this.#queue.splice(index, 1);
    return true;
  }

  /** Time passed: answers the requests that waited longer than the queue timeout. */
  expire(): Command<T, J>[] {
    const timeout = this.#options.queueTimeoutMs;
    if (timeout === undefined) return [];
    const now = this.#options.clock.now();
    const commands: Command<T, J>[] = [];
    // One timeout for all, so the queue is in deadline order.
    while (this.#queue[0] !== undefined && now - this.#queue[0].since >= timeout) {
      const { job, since } = this.#queue.shift()!;
      const waitedMs = now - since;
      const message = `no thread of application group ${this.#options.group} became free within the queue timeout (${Math.round(waitedMs)} ms)`;
      commands.push({ kind: "answer", job, status: 503, message, headers: RETRY_AFTER, waitedMs });
    }
    return commands;
  }

  /** Answers every waiting request with `status` (the group failed, the process shuts down). */
  clear(status: number, message: string, headers: Readonly<Record<string, string>> = {}): Command<T, J>[] {
    const now = this.#options.clock.now();
    return this.#queue.splice(0).map(({ job, since }) => ({ kind: "answer", job, status, message, headers, waitedMs: now - since }));
  }

  #drain(): Command<T, J>[] {
    const commands: Command<T, J>[] = [];
    for (;;) {
      const oldest = this.#queue[0];
      if (oldest === undefined) return commands;
      const thread = this.#roomiest();
      if (thread === undefined) return commands;
      this.#queue.shift();
      commands.push(this.#run(thread, oldest.job, this.#options.clock.now() - oldest.since));
    }
  }

  #run(thread: T, job: J, waitedMs: number | undefined): Command<T, J> {
    const slot = this.#slots.get(thread)!;
    slot.load += 1;
    return { kind: "run", job, thread, waitedMs };
  }

  /** The least loaded thread with room (spreading async requests over the cores), the warmest of equals. */
  #roomiest(): T | undefined {
    let best: T | undefined;
    let bestSlot: Slot | undefined;
    for (const [thread, slot] of this.#slots) {
      if (slot.load >= this.#options.concurrency) continue;
      if (bestSlot === undefined || slot.load < bestSlot.load || (slot.load === bestSlot.load && slot.freedAt > bestSlot.freedAt)) {
        best = thread;
        bestSlot = slot;
      }
    }
    return best;
  }
}
