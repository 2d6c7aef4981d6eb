/**
 * How many requests of one connection may wait in a group's queue or run at once. A client
 * that pipelines hundreds of requests on one connection would otherwise fill the group's
 * whole queue (listenBacklog) and every other client would get 503; past the budget, the
 * connection's further requests wait their turn behind its own, outside the queue, and are
 * all answered, in order.
 */
export const PIPELINE_LIMIT = 8;

interface Line {
  outstanding: number;
  readonly waiting: (() => void)[];
}

export class ConnectionBudget<C extends object> {
  readonly #lines = new WeakMap<C, Line>();
  readonly #limit: number;

  constructor(limit = PIPELINE_LIMIT) {
    this.#limit = limit;
  }

  /**
   * Starts a request of `connection` now, or once an earlier one of it is done. Returns the
   * function to call when this one is done (answered, or its client gone): call it once.
   */
  admit(connection: C, start: () => void): () => void {
    let line = this.#lines.get(connection);
    if (line === undefined) this.#lines.set(connection, (line = { outstanding: 0, waiting: [] }));
    let started = false;
    let done = false;
    const run = () => {
      if (done) return this.#next(line);
      started = true;
      start();
    };
    if (line.outstanding < this.#limit) {
      line.outstanding += 1;
      run();
    } else {
      line.waiting.push(run);
    }
    return () => {
      if (done) return;
      done = true;
      if (started) this.#next(line);
    };
  }

  /** One of the connection's requests is done: its place goes to the next in line. */
  #next(line: Line): void {
    const next = line.waiting.shift();
    if (next) return next();
    // The line stays while its connection lives (the map is weak): creating and dropping it
    // for every request of a keep-alive connection cost more than keeping it.
    line.outstanding -= 1;
  }
}
