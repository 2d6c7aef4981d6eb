/** A request the main thread took back before its thread read it. */
const REVOKED = 0x7fffffff;
const TOKENS = 2 ** 30;

/**
 * The request a full thread may hold, as cells both threads see. The main thread offers it
 * under a token; the worker claims it when it has room; the main thread revokes it when it
 * is wanted elsewhere, or confirms it when the thread ended a request (the thread will start
 * it). Each side swaps the cell atomically, so exactly one wins, and revoking needs no answer
 * from the worker: one whose event loop is blocked just loses.
 *
 * Cell values: 0 free (the worker has read the last offer), +token offered, -token
 * confirmed, REVOKED taken back. The main thread offers only into a free cell, so an offer
 * never overwrites one the worker has yet to read; two cells, used in turn, let the next
 * offer go out while the worker has still to read a confirmed one.
 */
export class ClaimSlot {
  readonly buffer: SharedArrayBuffer;
  readonly #cells: Int32Array;
  #next = 1;

  constructor(buffer = new SharedArrayBuffer(2 * Int32Array.BYTES_PER_ELEMENT)) {
    this.buffer = buffer;
    this.#cells = new Int32Array(buffer);
  }

  /** Main thread: whether an offer can go out now. */
  get free(): boolean {
    return Atomics.load(this.#cells, this.#next & 1) === 0;
  }

  /** Main thread: offers the held request; returns its token. */
  offer(): number {
    const token = this.#next;
    if (Atomics.compareExchange(this.#cells, token & 1, 0, token) !== 0) throw new Error("offered a request into a cell the worker has not read yet");
    this.#next = (token % TOKENS) + 1;
    return token;
  }

  /** Main thread: takes the request back; false if the worker claimed it first. */
  revoke(token: number): boolean {
    return Atomics.compareExchange(this.#cells, token & 1, token, REVOKED) === token;
  }

  /** Main thread: the worker will start the request (it ended another): no revoking it now. */
  confirm(token: number): void {
    Atomics.compareExchange(this.#cells, token & 1, token, -token);
  }

  /** Worker: whether to start the request; frees its cell either way. */
  claim(token: number): boolean {
    const cell = token & 1;
    const value = Atomics.compareExchange(this.#cells, cell, token, 0);
    if (value === token) return true;
    if (value === -token || value === REVOKED) Atomics.store(this.#cells, cell, 0);
    return value === -token;
  }
}
