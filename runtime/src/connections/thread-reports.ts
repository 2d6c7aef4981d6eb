/** How long a scrape waits for a thread's report (a blocked thread never answers). */
const REPORT_WAIT_MS = 250;

/**
 * The reports a scrape asks of the threads: each call has a number the thread's answer
 * carries back, and a call no thread answers in time is given up, so one blocked thread
 * cannot hold a scrape.
 */
export class ThreadReports {
  readonly #waiting = new Map<number, () => void>();
  #next = 1;

  /** Asks with `ask(call)`; resolves when answered(call) comes, or after REPORT_WAIT_MS. */
  request(ask: (call: number) => void): Promise<void> {
    return new Promise<void>((resolve) => {
      const call = this.#next++;
      const timer = setTimeout(() => this.#waiting.delete(call) && resolve(), REPORT_WAIT_MS);
      this.#waiting.set(call, () => {
        clearTimeout(timer);
        this.#waiting.delete(call);
        resolve();
      });
      ask(call);
    });
  }

  answered(call: number): void {
    this.#waiting.get(call)?.();
  }

  /** Resolves every call still waiting (the pool closes). */
  close(): void {
    for (const done of [...this.#waiting.values()]) done();
  }
}
