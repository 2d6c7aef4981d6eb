/** A thread as placement sees it: its load, read from shared memory at the moment of the choice. */
export interface ThreadView {
  /** Requests running, and connections handed to it that are about to begin one. */
  readonly inflight: number;
  readonly connections: number;
  /** How busy its event loop was lately, 0 to 1. */
  readonly busy: number;
  /** Connections handed to it whose first request has not begun (counted in `inflight` too). */
  readonly fresh: number;
  /** Requests waiting in the thread for one of its `concurrency` rooms. */
  readonly queued: number;
  /** How long its recent requests took; undefined before any ended. */
  readonly meanRequestMs: number | undefined;
  /** How long its longest-running request has run so far (0 when none runs). */
  readonly runningMs: number;
  /**
   * It ended a request since its handed connections that have not begun one were handed: it
   * is serving the load they belong to, not only a history of another one.
   */
  readonly endedSinceHanded: boolean;
}

/** Below this a thread has time to spare for more connections. */
export const SPARE_BELOW = 0.75;
/**
 * A thread whose recent requests took less than this, whose running requests have run less
 * than it, and whose next room is expected within it, may take a connection beyond its rooms
 * once as many threads have connections as there are cores: a request then waits for it
 * about as long as for a core.
 */
export const SHORT_REQUEST_MS = 1;
/** A thread running a request this long is not counted on to be free soon, whatever its history. */
export const LONG_RUNNING_MS = 5;
/**
 * How long a new connection may be held back for a thread that has connections, when they
 * all run requests younger than LONG_RUNNING_MS and their history does not say yet whether
 * the requests are short: a load that begins with a burst of connections (a client's pool)
 * would otherwise put one connection on every thread before the first request has ended.
 */
export const HOLD_MS = 50;
/**
 * How many handed connections that have not begun a request a thread may have and still take
 * one more beyond its rooms, once it has ended a request since they were handed (so its short
 * requests are those of the load now arriving). One at a time, a burst of 32 connections on a
 * process just started took longer than HOLD_MS to place, and the rest spread over every
 * thread. A thread with no such proof (a load that begins with long requests) still takes one
 * at a time.
 */
export const BURST_AHEAD = 4;

/** The connection waits a moment for a thread with connections (HOLD_MS), though an idle thread has room. */
export const HOLD = "hold";

/**
 * The thread a new connection goes to. Among threads with room for another request now
 * (fewer than `concurrency` running), threads with time to spare are filled first, the one
 * with the most connections first: a few busy threads serve small requests with fewer
 * wake-ups and less memory than many drowsy ones, and the others stay free for work that
 * needs them (the kernel wakes a thread once for all the requests that arrived on its
 * connections). When every thread with room is busy, the least busy one takes it.
 *
 * Once as many threads have connections as there are `cores`, a thread without connections
 * adds no core, only wake-ups: a connection then goes to one of the `cores` threads with the
 * most connections, one with room, or, when their requests are short and none of them has
 * run long, the one that will have room first. While their requests are young but their
 * history does not say they are short, the connection may be held back a moment (`mayHold`,
 * HOLD_MS). Long requests (awaiting I/O, or burning CPU) still spread over every thread.
 * None has room: the connection waits for one (undefined), as a request waits for a free
 * thread in mod_wsgi's listen backlog.
 */
export function placeConnection<T extends ThreadView>(threads: readonly T[], concurrency: number, cores: number, mayHold = false): T | typeof HOLD | undefined {
  // The `cores` threads with the most connections: when a load ends and another begins, the
  // new connections join the threads that served most, not every thread the old ones reached.
  const active = threads
    .filter((thread) => thread.connections > 0)
    .sort((a, b) => b.connections - a.connections)
    .slice(0, cores);
  if (active.length >= cores) {
    const chosen = withRoom(active, concurrency) ?? soonFree(active, concurrency);
    if (chosen !== undefined) return chosen;
    const idle = withRoom(threads, concurrency);
    if (mayHold && idle !== undefined && active.some((thread) => thread.runningMs < LONG_RUNNING_MS)) return HOLD;
    return idle;
  }
  return withRoom(threads, concurrency);
}

function withRoom<T extends ThreadView>(threads: readonly T[], concurrency: number): T | undefined {
  let spare: T | undefined;
  let leastBusy: T | undefined;
  for (const thread of threads) {
    if (thread.inflight >= concurrency) continue;
    if (thread.busy < SPARE_BELOW && (spare === undefined || thread.connections > spare.connections)) spare = thread;
    if (leastBusy === undefined || thread.busy < leastBusy.busy) leastBusy = thread;
  }
  return spare ?? leastBusy;
}

/** How long a request arriving now would wait for a room, from the thread's recent requests. */
export function expectedWaitMs(thread: ThreadView, concurrency: number): number {
  const mean = thread.meanRequestMs;
  if (mean === undefined || thread.runningMs >= LONG_RUNNING_MS) return Number.POSITIVE_INFINITY;
  const ahead = thread.inflight + thread.queued - concurrency + 1;
  return ahead <= 0 ? 0 : (ahead * mean) / concurrency;
}

/**
 * Among threads without room, the one whose room comes first, if its requests are short. A
 * connection placed wrong stays wrong (it cannot move), and a history of short requests says
 * little about the requests of a load that has just begun: so a thread with a handed
 * connection that has not begun a request is passed over, unless it has ended a request since
 * (then it may have up to BURST_AHEAD of them), as is one whose running request has already
 * outlived the short ones (a new load of long requests shows itself within a millisecond).
 */
function soonFree<T extends ThreadView>(threads: readonly T[], concurrency: number): T | undefined {
  let best: T | undefined;
  let bestWait = Number.POSITIVE_INFINITY;
  for (const thread of threads) {
    const maxFresh = thread.endedSinceHanded ? BURST_AHEAD : 1;
    if (thread.fresh >= maxFresh || thread.runningMs >= SHORT_REQUEST_MS) continue;
    const wait = expectedWaitMs(thread, concurrency);
    if (wait > SHORT_REQUEST_MS || (thread.meanRequestMs ?? Number.POSITIVE_INFINITY) > SHORT_REQUEST_MS) continue;
    if (best === undefined || wait < bestWait || (wait === bestWait && thread.connections < best.connections)) {
      best = thread;
      bestWait = wait;
    }
  }
  return best;
}
