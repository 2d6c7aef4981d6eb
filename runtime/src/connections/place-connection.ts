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
  /** How many requests it has ended since it started. */
  readonly served: number;
}

/** Below this a thread has time to spare for more connections. */
export const SPARE_BELOW = 0.75;
/**
 * A thread whose recent requests took less than this, whose running requests have run less
 * than it, and whose next room is expected within SHORT_WAIT_MS, may take a connection beyond
 * its rooms once as many threads have connections as there are cores: a request then waits
 * for it about as long as for a core.
 */
export const SHORT_REQUEST_MS = 1;
/**
 * How long a request may be expected to wait on a thread that holds a core, rather than go to
 * a thread beyond the cores. That thread has no core of its own: it takes turns with the busy
 * one, and each turn costs both a wake-up and their caches (and, the first time, the
 * compiler's work on its code). With 16 connections of 64 KiB responses on one thread, the
 * line was 1-1.5 ms long; a 1 ms bound put a second thread of a 2×2 process to work in most
 * rounds, at 60-75 µs of CPU a request against 36-49 for node:cluster, whose requests wait
 * on their process's line however long it is.
 */
export const SHORT_WAIT_MS = 10;
/** A thread running a request this long is not counted on to be free soon, whatever its history. */
export const LONG_RUNNING_MS = 5;
/**
 * A thread that has ended fewer requests than this is cold: its requests run long while their
 * code is loaded and compiled, which says nothing about the load. A connection may still be
 * held back (HOLD_MS) for it. Without this, the first burst of hello-world connections on a
 * fresh 2×2 process saw a first request of several milliseconds and spread over both threads
 * of a process (8 of 12 fresh servers), which its keep-alive connections then keep.
 */
export const COLD_REQUESTS = 32;
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
 * most connections, the one of them with the fewest that has room or, when their requests
 * are short and none of them has run long, will have it soon. While their requests are young but their
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
    const chosen = fewestConnections(active, concurrency);
    if (chosen !== undefined) return chosen;
    const idle = withRoom(threads, concurrency);
    if (mayHold && idle !== undefined && active.some((thread) => thread.runningMs < LONG_RUNNING_MS || thread.served < COLD_REQUESTS)) return HOLD;
    return idle;
  }
  return withRoom(threads, concurrency);
}

/**
 * Among the threads that hold the cores, the one with the fewest connections that has room or
 * will have it soon (ties: room now, then the shorter wait). Each of them has a core, so
 * packing one of them gains nothing, while a connection placed there stays there: with 32
 * keep-alive connections split 7 and 25 over the two threads of a 1×2 process, the thread
 * with 7 idled while the other had requests waiting (node:cluster deals them round robin,
 * 16 and 16). A closed-loop client keeps about one request outstanding per
 * connection, so connections are the thread's coming load, not the moment's queue.
 */
function fewestConnections<T extends ThreadView>(threads: readonly T[], concurrency: number): T | undefined {
  let best: T | undefined;
  let bestWait = Number.POSITIVE_INFINITY;
  for (const thread of threads) {
    const wait = thread.inflight < concurrency ? 0 : soonFreeWaitMs(thread, concurrency);
    if (wait === undefined) continue;
    if (best === undefined || thread.connections < best.connections || (thread.connections === best.connections && wait < bestWait)) {
      best = thread;
      bestWait = wait;
    }
  }
  return best;
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
 * How soon a thread without room will have it, when its requests are short; undefined when it
 * is not counted on to be free soon. A connection placed wrong stays wrong (it cannot move),
 * and a history of short requests says little about the requests of a load that has just
 * begun: so a thread with a handed
 * connection that has not begun a request is passed over, unless it has ended a request since
 * (then it may have up to BURST_AHEAD of them), as is one whose running request has already
 * outlived the short ones (a new load of long requests shows itself within a millisecond).
 */
function soonFreeWaitMs(thread: ThreadView, concurrency: number): number | undefined {
  const maxFresh = thread.endedSinceHanded ? BURST_AHEAD : 1;
  if (thread.fresh >= maxFresh || thread.runningMs >= SHORT_REQUEST_MS) return undefined;
  const wait = expectedWaitMs(thread, concurrency);
  if (wait > SHORT_WAIT_MS || (thread.meanRequestMs ?? Number.POSITIVE_INFINITY) > SHORT_REQUEST_MS) return undefined;
  return wait;
}
