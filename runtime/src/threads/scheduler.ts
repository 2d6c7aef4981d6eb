import { backlogFullAnswer, queueTimeoutAnswer, RETRY_AFTER_SECONDS } from "./queue-answers.ts";

/** Time as the scheduler reads it, so a test can move it by hand. */
export interface Clock {
  now(): number;
}

export interface SchedulerOptions<T, J> {
  /** The application group, for the messages of the answers. */
  readonly group: string;
  /** How many requests one thread runs at once. */
  readonly concurrency: number;
  /** How many requests may wait while every thread is full (listenBacklog). */
  readonly queueCapacity: number;
  /** How long a request may wait for a thread (queueTimeoutSeconds); undefined: for ever. */
  readonly queueTimeoutMs: number | undefined;
  readonly clock: Clock;
  /**
   * Whether a waiting job may be held by a full thread, to start there the moment one of its
   * requests ends (a job with no body to stream). Absent: nothing is ever held.
   */
  readonly holdable?: (job: J) => boolean;
  /**
   * Takes a held job back from its thread, without the thread's help (an atomic claim the
   * thread did not win): true if it is back, false if the thread has started it already.
   */
  readonly revoke?: (thread: T, job: J) => boolean;
  /** Whether the thread can be offered a request to hold now (it has read the last offers). */
  readonly canHold?: (thread: T) => boolean;
}

/**
 * What the scheduler asks its shell to do. `waitedMs` is set for a job that waited.
 * - run: start the job on the thread.
 * - hold: give the job to the full thread to start when it has room; it still waits.
 * - started: the thread started the job it held: it runs there now.
 * - answer: answer the job without running it.
 */
export type Command<T, J> =
  | { readonly kind: "run"; readonly job: J; readonly thread: T; readonly waitedMs: number | undefined }
  | { readonly kind: "hold"; readonly job: J; readonly thread: T; readonly waitedMs: undefined }
  | { readonly kind: "started"; readonly job: J; readonly thread: T; readonly waitedMs: number }
  | {
      readonly kind: "answer";
      readonly job: J;
      readonly status: number;
      readonly message: string;
      readonly headers: Readonly<Record<string, string>>;
      readonly waitedMs: number | undefined;
    };

interface Waiting<J> {
  readonly job: J;
  readonly since: number;
}

interface Slot<J> {
  load: number;
  /** When it last had room again: among equally loaded threads the warmest one is taken. */
  freedAt: number;
  held: Waiting<J> | undefined;
}

const RETRY_AFTER = { "retry-after": RETRY_AFTER_SECONDS } as const;

/**
 * Which request runs on which thread, and when (a pure core: events in, commands out, no
 * timers of its own). Each thread runs at most `concurrency` requests; a request that finds
 * every thread full waits, first come first served, at most `queueCapacity` of them, each for
 * at most `queueTimeoutMs`.
 *
 * Waking a sleeping thread costs more than a small request, so while every thread is full a
 * waiting bodyless request may be held by one of them (one per thread), which starts it as
 * soon as it has room, without going to sleep in between. A held request still waits: it
 * counts against the capacity, its queue timeout runs, and it is taken back the moment
 * another thread has room for it (it being the oldest waiting), its client leaves or its
 * thread leaves; once its thread ends a request, it is that thread's. Taking it back needs
 * nothing from the holding thread (`revoke` is an atomic claim, see ClaimSlot), so a thread
 * whose event loop is blocked holds up no request that another thread could serve.
 */
export class Scheduler<T, J> {
  readonly #options: SchedulerOptions<T, J>;
  readonly #slots = new Map<T, Slot<J>>();
  readonly #queue: Waiting<J>[] = [];
  #held = 0;
  #tick = 0;

  constructor(options: SchedulerOptions<T, J>) {
    if (!Number.isInteger(options.concurrency) || options.concurrency < 1) throw new RangeError(`concurrency must be a whole number >= 1, got ${options.concurrency}`);
    this.#options = options;
  }

  /** Requests waiting: in the queue, and held by threads. */
  get queueLength(): number {
    return this.#queue.length + this.#held;
  }

  /** How many requests the thread runs (0 for a thread the scheduler does not know). */
  load(thread: T): number {
    return this.#slots.get(thread)?.load ?? 0;
  }

  /** When the next waiting request times out, if one can. */
  get nextDeadline(): number | undefined {
    const timeout = this.#options.queueTimeoutMs;
    if (timeout === undefined) return undefined;
    let oldest = this.#queue[0]?.since;
    for (const slot of this.#slots.values()) if (slot.held && (oldest === undefined || slot.held.since < oldest)) oldest = slot.held.since;
    return oldest === undefined ? undefined : oldest + timeout;
  }

  /** A thread is ready for requests: it takes waiting ones at once. */
  join(thread: T): Command<T, J>[] {
    if (this.#slots.has(thread)) return [];
    this.#slots.set(thread, { load: 0, freedAt: ++this.#tick, held: undefined });
    const commands: Command<T, J>[] = [];
    this.#fill(commands);
    return commands;
  }

  /** A thread takes no more requests (it is retiring, or gone); what it runs is its shell's. */
  leave(thread: T): Command<T, J>[] {
    const slot = this.#slots.get(thread);
    if (slot === undefined) return [];
    const commands: Command<T, J>[] = [];
    const held = this.#takeHeld(thread, slot, commands);
    this.#slots.delete(thread);
    if (held !== undefined) {
      this.#requeue(held);
      this.#fill(commands);
    }
    return commands;
  }

  submit(job: J): Command<T, J>[] {
    const thread = this.#roomiest();
    if (thread !== undefined) return [this.#run(thread, job, undefined)];
    const { queueCapacity, group } = this.#options;
    if (this.queueLength >= queueCapacity) {
      const message = backlogFullAnswer(group, queueCapacity);
      return [{ kind: "answer", job, status: 503, message, headers: RETRY_AFTER, waitedMs: undefined }];
    }
    const waiting = { job, since: this.#options.clock.now() };
    // First come, first served: while others wait in the queue, a newcomer joins them.
    const holder = this.#queue.length === 0 ? this.#holderFor(job) : undefined;
    if (holder !== undefined) return [this.#hold(holder, waiting)];
    this.#queue.push(waiting);
    return [];
  }

  /** A request ended on the thread: its room goes to what it held, or to the oldest waiting request. */
  finished(thread: T): Command<T, J>[] {
    const slot = this.#slots.get(thread);
    if (slot === undefined || slot.load === 0) return [];
    slot.load -= 1;
    slot.freedAt = ++this.#tick;
    const commands: Command<T, J>[] = [];
    // The thread starts what it held as soon as it has room (the shell confirms it, so it
    // is not taken back), with no sleep in between.
    if (slot.held !== undefined) commands.push(this.#started(thread, slot));
    this.#fill(commands);
    // Awake and full again: it holds the next to come.
    const next = this.#queue[0];
    if (next !== undefined && slot.held === undefined && slot.load >= this.#options.concurrency && this.#holdable(next.job) && this.#canHold(thread)) {
      this.#queue.shift();
      commands.push(this.#hold(thread, next));
    }
    return commands;
  }

  /** A request whose client went away before it ran. */
  withdraw(job: J): Command<T, J>[] {
    const index = this.#queue.findIndex((w) => w.job === job);
    if (index !== -1) {
      this.#queue.splice(index, 1);
      return [];
    }
    for (const [thread, slot] of this.#slots) {
      if (slot.held?.job !== job) continue;
      const commands: Command<T, J>[] = [];
      if (this.#takeHeld(thread, slot, commands)) commands.push({ kind: "answer", job, status: 503, message: "the client closed the request", headers: {}, waitedMs: undefined });
      return commands;
    }
    return [];
  }

  /** Time passed: answers the requests that waited longer than the queue timeout. */
  expire(): Command<T, J>[] {
    const timeout = this.#options.queueTimeoutMs;
    if (timeout === undefined) return [];
    const now = this.#options.clock.now();
    const commands: Command<T, J>[] = [];
    const timedOut = (waiting: Waiting<J>) => {
      const waitedMs = now - waiting.since;
      const message = queueTimeoutAnswer(this.#options.group, waitedMs);
      commands.push({ kind: "answer", job: waiting.job, status: 503, message, headers: RETRY_AFTER, waitedMs });
    };
    for (const [thread, slot] of this.#slots) {
      if (slot.held === undefined || now - slot.held.since < timeout) continue;
      const held = this.#takeHeld(thread, slot, commands);
      if (held) timedOut(held);
    }
    // One timeout for all, so the queue is in deadline order.
    while (this.#queue[0] !== undefined && now - this.#queue[0].since >= timeout) timedOut(this.#queue.shift()!);
    return commands;
  }

  /** Answers every waiting request with `status` (the group failed, the process shuts down). */
  clear(status: number, message: string, headers: Readonly<Record<string, string>> = {}): Command<T, J>[] {
    const commands: Command<T, J>[] = [];
    // Not a wait that ended (no queue-wait sample): the wait was cut short.
    const answer = ({ job }: Waiting<J>) => commands.push({ kind: "answer", job, status, message, headers, waitedMs: undefined });
    for (const [thread, slot] of this.#slots) {
      const held = slot.held && this.#takeHeld(thread, slot, commands);
      if (held) answer(held);
    }
    for (const waiting of this.#queue.splice(0)) answer(waiting);
    return commands;
  }

  /** Gives every thread with room the oldest waiting request: from the queue, or held by another thread. */
  #fill(commands: Command<T, J>[]): void {
    for (;;) {
      const thread = this.#roomiest();
      if (thread === undefined) return;
      const queued = this.#queue[0];
      const holder = this.#oldestHolder();
      const held = holder?.[1].held;
      if (holder !== undefined && held !== undefined && (queued === undefined || held.since < queued.since)) {
        const back = this.#takeHeld(holder[0], holder[1], commands);
        if (back) commands.push(this.#run(thread, back.job, this.#options.clock.now() - back.since));
        continue;
      }
      if (queued === undefined) return;
      this.#queue.shift();
      commands.push(this.#run(thread, queued.job, this.#options.clock.now() - queued.since));
    }
  }

  /** Puts a request taken back into the queue where its arrival puts it: usually first. */
  #requeue(waiting: Waiting<J>): void {
    const index = this.#queue.findIndex((w) => w.since > waiting.since);
    this.#queue.splice(index === -1 ? this.#queue.length : index, 0, waiting);
  }

  /** Takes a held request back; if its thread started it already, says so and returns undefined. */
  #takeHeld(thread: T, slot: Slot<J>, commands: Command<T, J>[]): Waiting<J> | undefined {
    const held = slot.held;
    if (held === undefined) return undefined;
    if (this.#options.revoke?.(thread, held.job) === false) {
      // The thread claimed it: it runs there. If the end of the request that made room for it
      // is still on its way, the thread counts one too many until that end arrives.
      commands.push(this.#started(thread, slot));
      return undefined;
    }
    slot.held = undefined;
    this.#held -= 1;
    return held;
  }

  #started(thread: T, slot: Slot<J>): Command<T, J> {
    const held = slot.held!;
    slot.held = undefined;
    this.#held -= 1;
    slot.load += 1;
    return { kind: "started", job: held.job, thread, waitedMs: this.#options.clock.now() - held.since };
  }

  #hold(thread: T, waiting: Waiting<J>): Command<T, J> {
    this.#slots.get(thread)!.held = waiting;
    this.#held += 1;
    return { kind: "hold", job: waiting.job, thread, waitedMs: undefined };
  }

  #holdable(job: J): boolean {
    return this.#options.revoke !== undefined && this.#options.holdable?.(job) === true;
  }

  #canHold(thread: T): boolean {
    return this.#options.canHold?.(thread) ?? true;
  }

  #holderFor(job: J): T | undefined {
    if (!this.#holdable(job)) return undefined;
    for (const [thread, slot] of this.#slots) if (slot.held === undefined && this.#canHold(thread)) return thread;
    return undefined;
  }

  #oldestHolder(): [T, Slot<J>] | undefined {
    let oldest: [T, Slot<J>] | undefined;
    for (const entry of this.#slots) if (entry[1].held && (oldest === undefined || entry[1].held.since < oldest[1].held!.since)) oldest = entry;
    return oldest;
  }

  #run(thread: T, job: J, waitedMs: number | undefined): Command<T, J> {
    this.#slots.get(thread)!.load += 1;
    return { kind: "run", job, thread, waitedMs };
  }

  /** The least loaded thread with room (spreading async requests over the cores), the warmest of equals. */
  #roomiest(): T | undefined {
    let best: T | undefined;
    let bestSlot: Slot<J> | undefined;
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
