/**
 * Per-object latency bookkeeping for one phase: each object's create-request start, and the
 * first time each milestone was seen for it (a Deployment appeared, the status caught up,
 * a ReplicaSet appeared). An object is done when every milestone is in; its latency is the
 * latest milestone minus its start. Times are `performance.now()` milliseconds.
 */
export class ConvergenceTracker<Milestone extends string> {
  readonly #milestones: readonly Milestone[];
  readonly #starts = new Map<string, number>();
  readonly #seen = new Map<string, Map<Milestone, number>>();
  readonly #done = new Map<string, number>();
  #waiters: { count: number; resolve: () => void }[] = [];

  constructor(milestones: readonly Milestone[]) {
    if (milestones.length === 0) throw new Error("a tracker needs at least one milestone");
    this.#milestones = milestones;
  }

  /** The create request for `key` is about to be sent. */
  start(key: string, at: number): void {
    if (this.#starts.has(key)) throw new Error(`${key} was started twice`);
    this.#starts.set(key, at);
    this.#settle(key);
  }

  /**
   * A watch event showed `milestone` for `key`. Only the first sighting counts: a later
   * event (a resync, a restarted watch) says nothing new about when it happened.
   */
  mark(key: string, milestone: Milestone, at: number): void {
    const seen = this.#seen.get(key) ?? new Map<Milestone, number>();
    this.#seen.set(key, seen);
    if (seen.has(milestone)) return;
    seen.set(milestone, at);
    this.#settle(key);
  }

  get started(): number {
    return this.#starts.size;
  }

  get done(): number {
    return this.#done.size;
  }

  /** Resolves once `count` started objects are done. */
  whenDone(count: number): Promise<void> {
    if (this.#done.size >= count) return Promise.resolve();
    return new Promise((resolve) => this.#waiters.push({ count, resolve }));
  }

  /** Latency of every done object, in ms. */
  latencies(): number[] {
    return [...this.#done].map(([key, doneAt]) => doneAt - (this.#starts.get(key) ?? doneAt));
  }

  /** From the first start to the last done object (ms); undefined until something is done. */
  span(): { first: number; last: number } | undefined {
    if (this.#done.size === 0) return undefined;
    return { first: Math.min(...this.#starts.values()), last: Math.max(...this.#done.values()) };
  }

  /** Objects not done yet, with the milestones they still lack (for a timeout's message). */
  pending(limit = 5): string[] {
    return [...this.#starts.keys()]
      .filter((key) => !this.#done.has(key))
      .slice(0, limit)
      .map((key) => `${key} (waiting for ${this.#milestones.filter((m) => !this.#seen.get(key)?.has(m)).join(", ")})`);
  }

  #settle(key: string): void {
    if (this.#done.has(key) || !this.#starts.has(key)) return;
    const seen = this.#seen.get(key);
    if (seen === undefined || !this.#milestones.every((m) => seen.has(m))) return;
    this.#done.set(key, Math.max(...seen.values()));
    const ready = this.#waiters.filter((w) => this.#done.size >= w.count);
    this.#waiters = this.#waiters.filter((w) => this.#done.size < w.count);
    for (const w of ready) w.resolve();
  }
}

/** Objects per second from the first create request to the last object done. */
export function throughputPerSecond(objects: number, span: { first: number; last: number }): number {
  const seconds = (span.last - span.first) / 1000;
  return seconds > 0 ? objects / seconds : Number.POSITIVE_INFINITY;
}
