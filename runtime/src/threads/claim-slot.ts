/**
 * The one request a full thread may hold, as a cell both threads see: the main thread offers
 * it under a token, the worker claims it when it has room, the main thread revokes it when it
 * is wanted elsewhere. Both swap the token atomically, so exactly one of them wins, and
 * revoking needs no answer from the worker: one whose event loop is blocked just loses.
 */
export class ClaimSlot {
  readonly buffer: SharedArrayBuffer;
  readonly #cell: Int32Array;

  constructor(buffer = new SharedArrayBuffer(Int32Array.BYTES_PER_ELEMENT)) {
    this.buffer = buffer;
    this.#cell = new Int32Array(buffer);
  }

  /** Main thread: the held request is `token` now (the previous one was revoked or claimed). */
  offer(token: number): void {
    Atomics.store(this.#cell, 0, token);
  }

  /** Main thread: takes the request back; false if the worker claimed it first. */
  revoke(token: number): boolean {
    return Atomics.compareExchange(this.#cell, 0, token, 0) === token;
  }

  /** Worker: takes the request to run; false if the main thread revoked it first. */
  claim(token: number): boolean {
    return Atomics.compareExchange(this.#cell, 0, token, -token) === token;
  }
}

const TOKENS = 2 ** 30;
let lastToken = 0;

/** A positive token, unique among the requests any thread holds at once (wraps after 2^30). */
export function nextToken(): number {
  lastToken = (lastToken % TOKENS) + 1;
  return lastToken;
}
