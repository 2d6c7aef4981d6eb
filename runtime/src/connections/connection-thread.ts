import type { PoolThread } from "../threads/pool-thread.ts";
import type { ThreadView } from "./place-connection.ts";
import { epochNow, type ThreadLoad } from "./thread-load.ts";

/** A thread of the pool and what the main thread knows of it. */
export class ConnectionThread implements ThreadView {
  readonly thread: PoolThread;
  readonly load: ThreadLoad;
  /** No new connections: it is being replaced (its connections close as their requests end). */
  leaving = false;
  /** Since when it has had handed connections that have not begun a request (epochNow()). */
  #freshSince = 0;

  constructor(thread: PoolThread, load: ThreadLoad) {
    this.thread = thread;
    this.load = load;
  }

  /** Requests running, and connections about to begin one. */
  get inflight(): number {
    return this.load.inflight + this.load.fresh;
  }

  get connections(): number {
    return this.load.connections;
  }

  get busy(): number {
    return this.load.busy;
  }

  get queued(): number {
    return this.load.queued;
  }

  get fresh(): number {
    return this.load.fresh;
  }

  get meanRequestMs(): number | undefined {
    return this.load.meanRequestMs;
  }

  get served(): number {
    return this.load.served;
  }

  get runningMs(): number {
    const oldest = this.load.oldestStart();
    return oldest === undefined ? 0 : epochNow() - oldest;
  }

  get endedSinceHanded(): boolean {
    const lastEnd = this.load.lastEnd();
    return lastEnd !== undefined && lastEnd > this.#freshSince;
  }

  /** A connection is handed to it. */
  handed(): void {
    if (this.load.fresh === 0) this.#freshSince = epochNow();
    this.load.handed();
  }
}
