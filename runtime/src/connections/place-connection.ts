/** A thread as placement sees it: its load, read from shared memory at the moment of the choice. */
export interface ThreadView {
  /** Requests running, and connections handed to it that are about to begin one. */
  readonly inflight: number;
  readonly connections: number;
  /** How busy its event loop was lately, 0 to 1. */
  readonly busy: number;
}

/** Below this a thread has time to spare for more connections. */
export const SPARE_BELOW = 0.75;

/**
 * The thread a new connection goes to, among those with room for another request now (fewer
 * than `concurrency` running). Threads with time to spare are filled first, the one with
 * the most connections first: a few busy threads serve small requests with fewer wake-ups
 * and less memory than many drowsy ones, and the others stay free for work that needs them
 * (the kernel wakes a thread once for all the requests that arrived on its connections). When
 * every thread with room is busy, the least busy one takes it. None has room: the connection
 * waits for one (undefined), as a request waits for a free thread in mod_wsgi's listen backlog.
 */
export function placeConnection<T extends ThreadView>(threads: readonly T[], concurrency: number): T | undefined {
  let spare: T | undefined;
  let leastBusy: T | undefined;
  for (const thread of threads) {
    if (thread.inflight >= concurrency) continue;
    if (thread.busy < SPARE_BELOW && (spare === undefined || thread.connections > spare.connections)) spare = thread;
    if (leastBusy === undefined || thread.busy < leastBusy.busy) leastBusy = thread;
  }
  return spare ?? leastBusy;
}
