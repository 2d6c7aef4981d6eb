/** A thread as placement sees it: its load, read from shared memory at the moment of the choice. */
export interface ThreadView {
  readonly inflight: number;
  readonly connections: number;
}

/**
 * The thread a new connection goes to: one with room for another request now (fewer than
 * `concurrency` running), the one with the fewest connections among them, then the least
 * busy, then the first. None has room: the connection waits for one (undefined), as a
 * request waits for a free thread in mod_wsgi's listen backlog.
 */
export function placeConnection<T extends ThreadView>(threads: readonly T[], concurrency: number): T | undefined {
  let best: T | undefined;
  for (const thread of threads) {
    if (thread.inflight >= concurrency) continue;
    if (best === undefined || thread.connections < best.connections || (thread.connections === best.connections && thread.inflight < best.inflight)) best = thread;
  }
  return best;
}
