/**
 * Measures how busy this thread's event loop was lately, for placement, and publishes it
 * every `everyMs`, but only between start() and stop(): a thread with no connections has no
 * requests to be busy with, and then sleeps instead of waking ten times a second. An idle
 * 1×15 process had 150 such wake-ups a second (docs/performance.md).
 */
export class BusyMeter {
  readonly #publish: (utilization: number) => void;
  readonly #everyMs: number;
  #timer: NodeJS.Timeout | undefined;
  #last = performance.eventLoopUtilization();

  constructor(publish: (utilization: number) => void, everyMs: number) {
    this.#publish = publish;
    this.#everyMs = everyMs;
  }

  start(): void {
    if (this.#timer !== undefined) return;
    // Measured from now: the time asleep before says nothing about the load that begins.
    this.#last = performance.eventLoopUtilization();
    this.#timer = setInterval(() => {
      const now = performance.eventLoopUtilization();
      this.#publish(performance.eventLoopUtilization(now, this.#last).utilization);
      this.#last = now;
    }, this.#everyMs).unref();
  }

  /** Stops measuring; the thread counts as idle until the next start(). */
  stop(): void {
    if (this.#timer === undefined) return;
    clearInterval(this.#timer);
    this.#timer = undefined;
    this.#publish(0);
  }
}
