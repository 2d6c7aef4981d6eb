/** Timers as the queue sees them, so a test can drive time by hand. */
export interface Timers {
  now(): number;
  setTimeout(callback: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export const realTimers: Timers = {
  now: () => performance.now(),
  setTimeout: (callback, ms) => setTimeout(callback, ms).unref(),
  clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
};

interface Waiting<T> {
  readonly item: T;
  readonly since: number;
  readonly timer: unknown;
}

/**
 * Requests waiting for a free thread, first come first served, at most `capacity` of them
 * (mod_wsgi's listen-backlog on the daemon socket), each for at most `timeoutMs`
 * (queue-timeout); `onTimeout` answers the ones that waited too long.
 */
export class WaitQueue<T> {
  readonly #items: Waiting<T>[] = [];
  readonly #capacity: number;
  readonly #timeoutMs: number | undefined;
  readonly #onTimeout: (item: T, waitedMs: number) => void;
  readonly #timers: Timers;

  constructor(options: { capacity: number; timeoutMs: number | undefined; onTimeout: (item: T, waitedMs: number) => void; timers?: Timers }) {
    this.#capacity = options.capacity;
    this.#timeoutMs = options.timeoutMs;
    this.#onTimeout = options.onTimeout;
    this.#timers = options.timers ?? realTimers;
  }

  get length(): number {
    return this.#items.length;
  }

  /** False when the queue is full: the caller answers at once. */
  push(item: T): boolean {
    if (this.#items.length >= this.#capacity) return false;
    const since = this.#timers.now();
    const timer = this.#timeoutMs === undefined ? undefined : this.#timers.setTimeout(() => this.#expire(item), this.#timeoutMs);
    this.#items.push({ item, since, timer });
    return true;
  }

  /** The longest-waiting item, left in place. */
  peek(): T | undefined {
    return this.#items[0]?.item;
  }

  /** How long the longest-waiting item has waited so far (0 when none waits). */
  headWaitedMs(): number {
    const head = this.#items[0];
    return head === undefined ? 0 : this.#timers.now() - head.since;
  }

  /** The longest-waiting item and how long it waited. */
  shift(): { item: T; waitedMs: number } | undefined {
    const waiting = this.#items.shift();
    if (waiting === undefined) return undefined;
    this.#timers.clearTimeout(waiting.timer);
    return { item: waiting.item, waitedMs: this.#timers.now() - waiting.since };
  }

  /** Takes an item out (its client went away); true if it was waiting. */
  remove(item: T): boolean {
    const index = this.#items.findIndex((w) => w.item === item);
    if (index === -1) return false;
    const [waiting] = this.#items.splice(index, 1);
    this.#timers.clearTimeout(waiting?.timer);
    return true;
  }

  /** Empties the queue, returning what waited. */
  clear(): T[] {
    const items = this.#items.splice(0);
    for (const w of items) this.#timers.clearTimeout(w.timer);
    return items.map((w) => w.item);
  }

  #expire(item: T): void {
    const index = this.#items.findIndex((w) => w.item === item);
    if (index === -1) return;
    const [waiting] = this.#items.splice(index, 1);
    if (waiting) this.#onTimeout(item, this.#timers.now() - waiting.since);
  }
}
