/**
 * What a connection-mode worker thread tells the main thread without a message: counters in
 * shared memory that the thread updates as requests start and end and the main thread reads
 * when it places a connection, samples metrics or looks for a blocked thread. A message per
 * request is what connection mode exists to avoid.
 */
const INFLIGHT = 0;
const CONNECTIONS = 1;
const QUEUED = 2;
/** 1 while the main thread holds connections waiting for a thread with room. */
const WANTED = 3;
const SERVED = 4;
/** Connections handed to the thread that have not begun a request yet (for a moment at most). */
const FRESH = 5;
/** The event loop's recent utilization, in thousandths (0..1000). */
const BUSY = 6;
/** How long its recent requests took, a moving average in microseconds (0: none ended yet). */
const MEAN_US = 7;
const INTS = 8;
/** Where the Float64 slots begin, in 8-byte units: the last request's end, then each room's start. */
const LAST_END_AT = Math.ceil(INTS / 2);
const STARTS_AT = LAST_END_AT + 1;
const MEAN_WEIGHT = 0.2;

/**
 * Milliseconds since the epoch, to the microsecond: the same clock in every thread (Date.now()
 * counts whole milliseconds, too coarse to tell a request that just began from one that has
 * run for a millisecond).
 */
export function epochNow(): number {
  return performance.timeOrigin + performance.now();
}

export class ThreadLoad {
  readonly buffer: SharedArrayBuffer;
  readonly #ints: Int32Array;
  /** When each running request started (epochNow()), 0 for a free slot: the watchdog's and placement's view. */
  readonly #starts: Float64Array;
  /** When the thread last ended a request (epochNow()), 0 before the first. */
  readonly #lastEnd: Float64Array;
  /** The thread's own moving average of request durations (ms), published as MEAN_US. */
  #meanMs: number | undefined;

  constructor(concurrency: number, buffer?: SharedArrayBuffer) {
    this.buffer = buffer ?? new SharedArrayBuffer(8 * (STARTS_AT + concurrency));
    this.#ints = new Int32Array(this.buffer, 0, INTS);
    this.#lastEnd = new Float64Array(this.buffer, 8 * LAST_END_AT, 1);
    this.#starts = new Float64Array(this.buffer, 8 * STARTS_AT, concurrency);
  }

  get inflight(): number {
    return Atomics.load(this.#ints, INFLIGHT);
  }

  get connections(): number {
    return Atomics.load(this.#ints, CONNECTIONS);
  }

  get fresh(): number {
    return Atomics.load(this.#ints, FRESH);
  }

  /** How busy the thread's event loop was lately, 0 (idle) to 1 (never idle). */
  get busy(): number {
    return Atomics.load(this.#ints, BUSY) / 1000;
  }

  get queued(): number {
    return Atomics.load(this.#ints, QUEUED);
  }

  get served(): number {
    return Atomics.load(this.#ints, SERVED);
  }

  /** How long the thread's recent requests took, in ms; undefined before any ended. */
  get meanRequestMs(): number | undefined {
    const us = Atomics.load(this.#ints, MEAN_US);
    return us === 0 ? undefined : us / 1000;
  }

  /** The oldest running request's start (epochNow()), or undefined when none runs. */
  oldestStart(): number | undefined {
    let oldest: number | undefined;
    for (const start of this.#starts) if (start > 0 && (oldest === undefined || start < oldest)) oldest = start;
    return oldest;
  }

  /** When the thread last ended a request (epochNow()), or undefined before the first. */
  lastEnd(): number | undefined {
    const at = this.#lastEnd[0] ?? 0;
    return at === 0 ? undefined : at;
  }

  // The thread's side.

  /** A request starts in `slot` (0 .. concurrency-1). */
  started(slot: number): void {
    this.#starts[slot] = epochNow();
    Atomics.add(this.#ints, INFLIGHT, 1);
  }

  /** The request in `slot` ended after `ms`; true when the main thread waits for room (and is now told). */
  ended(slot: number, ms: number): boolean {
    this.#lastEnd[0] = (this.#starts[slot] ?? 0) + ms;
    this.#starts[slot] = 0;
    // A fifth of the weight to the newest: a few dozen requests outweigh the history of
    // another kind of load, which is what placement must see when a new load begins.
    this.#meanMs = this.#meanMs === undefined ? ms : this.#meanMs + (ms - this.#meanMs) * MEAN_WEIGHT;
    Atomics.store(this.#ints, MEAN_US, Math.max(1, Math.round(this.#meanMs * 1000)));
    Atomics.add(this.#ints, INFLIGHT, -1);
    Atomics.add(this.#ints, SERVED, 1);
    return this.#roomWanted();
  }

  /** A handed connection began its first request, or did not within the moment; true as for ended(). */
  freshEnded(): boolean {
    Atomics.add(this.#ints, FRESH, -1);
    return this.#roomWanted();
  }

  #roomWanted(): boolean {
    return Atomics.compareExchange(this.#ints, WANTED, 1, 0) === 1;
  }

  /** The thread's event loop utilization over the last moment. */
  busyLately(utilization: number): void {
    Atomics.store(this.#ints, BUSY, Math.round(utilization * 1000));
  }

  connectionsChanged(by: number): void {
    Atomics.add(this.#ints, CONNECTIONS, by);
  }

  queuedChanged(by: number): void {
    Atomics.add(this.#ints, QUEUED, by);
  }

  // The main thread's side.

  /** Asks the thread to say when a request of its ends (it posts "room"). */
  want(): void {
    Atomics.store(this.#ints, WANTED, 1);
  }

  /**
   * A connection was handed to the thread (it counts it down when it closes). Until its first
   * request begins it counts as one running: its client may be sending it right now, and a
   * second connection placed on the same thread meanwhile would wait behind it.
   */
  handed(): void {
    Atomics.add(this.#ints, CONNECTIONS, 1);
    Atomics.add(this.#ints, FRESH, 1);
  }
}
