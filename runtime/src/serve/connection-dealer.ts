/**
 * How `serve` spreads connections over its processes: its supervisor accepts each one and
 * deals it to the next process in turn, as node:cluster's primary does. With a socket per
 * process (SO_REUSEPORT) the kernel spread them by a hash of their addresses instead: wrk's
 * 32 connections ended 19/13, 17/15, 12/20 and 18/14 over two processes, and the process
 * with more of them was the bottleneck while the other idled. A keep-alive connection never
 * moves, so the split it gets at first is the split it keeps.
 *
 * The dealer keeps its copy of each connection until the process says it adopted it: a
 * process that dies with connections still on the way loses none of them, they go to the
 * next. Connections that arrive while no process takes any wait here, up to `holdCapacity`.
 */
export interface DealerOptions<P, H> {
  /** Sends `handle` to `taker` as connection `id`; false when it cannot (its channel closed). */
  readonly send: (taker: P, id: number, handle: H) => boolean;
  /** Closes the dealer's copy of a connection (the process that adopted it keeps its own). */
  readonly close: (handle: H) => void;
  readonly holdCapacity: number;
}

export class ConnectionDealer<P, H> {
  readonly #options: DealerOptions<P, H>;
  readonly #rotation: P[] = [];
  #turn = 0;
  #nextId = 1;
  readonly #unadopted = new Map<number, { readonly taker: P; readonly handle: H }>();
  readonly #held: H[] = [];

  constructor(options: DealerOptions<P, H>) {
    this.#options = options;
  }

  /** Connections accepted that no process has adopted yet (on the way, or held). */
  get pending(): number {
    return this.#unadopted.size + this.#held.length;
  }

  /** `taker` takes connections from now on; those held go out at once. */
  join(taker: P): void {
    if (!this.#rotation.includes(taker)) this.#rotation.push(taker);
    while (this.#held.length > 0 && this.#rotation.length > 0) this.deal(this.#held.shift()!);
  }

  /** `taker` takes no more (it drains); it still adopts what is on its way. */
  leave(taker: P): void {
    const at = this.#rotation.indexOf(taker);
    if (at !== -1) this.#rotation.splice(at, 1);
  }

  /** `taker` is gone: what it had not adopted goes to the others. */
  gone(taker: P): void {
    this.leave(taker);
    for (const [id, { taker: to, handle }] of this.#unadopted) {
      if (to !== taker) continue;
      this.#unadopted.delete(id);
      this.deal(handle);
    }
  }

  /** A new connection: to the next process in turn, or held until one takes connections. */
  deal(handle: H): void {
    for (;;) {
      if (this.#rotation.length === 0) {
        if (this.#held.length < this.#options.holdCapacity) this.#held.push(handle);
        else this.#options.close(handle);
        return;
      }
      const taker = this.#rotation[this.#turn++ % this.#rotation.length]!;
      const id = this.#nextId++;
      this.#unadopted.set(id, { taker, handle });
      if (this.#options.send(taker, id, handle)) return;
      this.#unadopted.delete(id);
      this.leave(taker);
    }
  }

  /** `taker` adopted connection `id`: the dealer's copy closes. */
  adopted(id: number): void {
    const entry = this.#unadopted.get(id);
    if (entry === undefined) return;
    this.#unadopted.delete(id);
    this.#options.close(entry.handle);
  }

  /** The group stops: connections held or on the way are closed here (a process that adopts one still serves it). */
  closeAll(): void {
    for (const handle of this.#held.splice(0)) this.#options.close(handle);
    for (const [id, { handle }] of this.#unadopted) {
      this.#unadopted.delete(id);
      this.#options.close(handle);
    }
  }
}
