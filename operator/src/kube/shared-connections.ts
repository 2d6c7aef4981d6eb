/**
 * client-node 2.x gives every request a connection pool (an undici dispatcher) of its own, so
 * every API call opened a new TCP connection and did a TLS handshake, which with client
 * certificates costs both sides a signature. Requests share one pool instead. It is renewed
 * every `maxAgeMs`, so credentials that live in the pool (client certificates an exec plugin
 * rotates) are picked up; the retired pool closes once its requests in flight are done.
 */
export class SharedConnections<Pool> {
  readonly #maxAgeMs: number;
  readonly #retire: (pool: Pool) => void;
  #pool: Pool | undefined;
  #since = 0;

  constructor(options: { maxAgeMs: number; retire: (pool: Pool) => void }) {
    this.#maxAgeMs = options.maxAgeMs;
    this.#retire = options.retire;
  }

  /**
   * The pool this request should use, given the fresh one client-node made for it: the
   * shared pool while it is young enough, else the fresh one, which then becomes shared.
   */
  take(fresh: Pool | undefined, now: number): Pool | undefined {
    if (this.#pool !== undefined && now - this.#since < this.#maxAgeMs) {
      if (fresh !== undefined && fresh !== this.#pool) this.#retire(fresh);
      return this.#pool;
    }
    if (fresh === undefined) return undefined;
    if (this.#pool !== undefined) this.#retire(this.#pool);
    this.#pool = fresh;
    this.#since = now;
    return fresh;
  }
}
