import { describe, expect, it } from "vitest";
import { testThread, type TestThread } from "../../../test/support/thread-view.ts";
import { BURST_AHEAD, COLD_REQUESTS, expectedWaitMs, HOLD, LONG_RUNNING_MS, placeConnection, SHORT_REQUEST_MS, SHORT_WAIT_MS, SPARE_BELOW, type ThreadView } from "./place-connection.ts";

type Named = TestThread;
const t = (name: string, inflight: number, connections: number, busy = 0, more: Partial<ThreadView> = {}): Named => testThread(name, { inflight, connections, busy, ...more });
const BUSY = SPARE_BELOW + 0.1;
/** A thread whose requests are short (hello world): 30 µs each. */
const quick = { meanRequestMs: 0.03 };
/** A thread ending short requests of the load now arriving: one ended since its handed connections came. */
const ending = { ...quick, endedSinceHanded: true };
/** A thread whose requests await I/O for 10 ms. */
const slow = { meanRequestMs: 10 };

describe("placeConnection", () => {
  const cases: { readonly title: string; readonly threads: Named[]; readonly concurrency: number; readonly cores?: number; readonly mayHold?: boolean; readonly expected: string | undefined }[] = [
    { title: "no threads: the connection waits", threads: [], concurrency: 1, expected: undefined },
    { title: "every thread at its concurrency: the connection waits", threads: [t("a", 1, 1), t("b", 1, 3)], concurrency: 1, expected: undefined },
    { title: "the only thread with room, though others have fewer connections", threads: [t("a", 1, 0), t("b", 0, 9)], concurrency: 1, expected: "b" },
    { title: "threads with time to spare, fewer with connections than cores: the one with the most connections", threads: [t("a", 0, 3), t("b", 0, 5), t("c", 0, 2)], concurrency: 1, cores: 4, expected: "b" },
    { title: "a busy thread is passed over for one with time to spare, though it has more connections", threads: [t("a", 0, 9, BUSY), t("b", 0, 1)], concurrency: 1, expected: "b" },
    { title: "every thread with room busy, fewer with connections than cores: the least busy", threads: [t("a", 0, 1, 0.95), t("b", 0, 7, 0.8), t("c", 1, 0, 0)], concurrency: 1, cores: 4, expected: "b" },
    { title: "a tie: the first", threads: [t("a", 0, 2), t("b", 0, 2)], concurrency: 1, expected: "a" },
    { title: "concurrency above 1: a thread running some still has room", threads: [t("a", 3, 1), t("b", 4, 9)], concurrency: 4, expected: "a" },
    // Threads with connections as many as the cores.
    {
      title: "as many threads with connections as cores, their requests short: the one with the fewest waiting, not an idle thread",
      threads: [t("a", 1, 9, BUSY, { ...quick, queued: 2 }), t("b", 1, 8, BUSY, quick), t("c", 0, 0)],
      concurrency: 1,
      expected: "b",
    },
    {
      title: "short requests, fewer threads with connections than cores: an idle thread",
      threads: [t("a", 1, 9, BUSY, quick), t("b", 0, 0), t("c", 0, 0)],
      concurrency: 1,
      cores: 2,
      expected: "b",
    },
    {
      title: "as many threads with connections as cores, one with room: that one, before an idle thread",
      threads: [t("a", 1, 9, BUSY, quick), t("b", 0, 8, BUSY, quick), t("c", 0, 0)],
      concurrency: 1,
      expected: "b",
    },
    {
      title: "long requests spread over every thread, whatever the cores",
      threads: [t("a", 1, 2, 0.1, slow), t("b", 1, 2, 0.1, slow), t("c", 0, 0)],
      concurrency: 1,
      expected: "c",
    },
    {
      title: "a thread whose running request has outlived its short ones is not counted on (a new load of long requests)",
      threads: [t("a", 1, 9, BUSY, { ...quick, runningMs: SHORT_REQUEST_MS }), t("b", 1, 8, BUSY, { ...quick, runningMs: 0.2 }), t("c", 0, 0)],
      concurrency: 1,
      expected: "b",
    },
    {
      title: "a thread with a handed connection that has not begun a request is not counted on (a new load's burst)",
      threads: [t("a", 1, 9, BUSY, { ...quick, fresh: 1 }), t("b", 1, 8, BUSY, { ...quick, queued: 1 }), t("c", 0, 0)],
      concurrency: 1,
      expected: "b",
    },
    {
      title: "a burst on a thread that has ended a request since its handed connections came: they may run ahead of their first requests",
      threads: [t("a", 3, 9, BUSY, { ...ending, fresh: BURST_AHEAD - 1 }), t("b", 1, 8, BUSY, { ...quick, fresh: 1 }), t("c", 0, 0)],
      concurrency: 1,
      expected: "a",
    },
    {
      title: "a burst: no more than BURST_AHEAD handed connections ahead of their first requests",
      threads: [t("a", 4, 9, BUSY, { ...ending, fresh: BURST_AHEAD }), t("b", 4, 8, BUSY, { ...ending, fresh: BURST_AHEAD }), t("c", 0, 0)],
      concurrency: 1,
      expected: "c",
    },
    {
      title: "a thread ending requests, its running one past the short ones: not counted on, whatever it has ended",
      threads: [t("a", 2, 9, BUSY, { ...ending, fresh: 1, runningMs: SHORT_REQUEST_MS }), t("b", 2, 8, BUSY, { ...ending, fresh: 1, runningMs: 2 }), t("c", 0, 0)],
      concurrency: 1,
      expected: "c",
    },
    {
      title: "a thread blocked, its request long running: an idle thread takes the connection",
      threads: [t("a", 1, 3, 0, { ...quick, runningMs: 400 }), t("b", 1, 3, 0, { ...quick, runningMs: 400 }), t("c", 0, 0)],
      concurrency: 1,
      expected: "c",
    },
    {
      title: "no request ended yet on the threads with connections: an idle thread",
      threads: [t("a", 1, 1), t("b", 1, 1), t("c", 0, 0)],
      concurrency: 1,
      expected: "c",
    },
    {
      title: "short requests but a line longer than SHORT_WAIT_MS already: an idle thread",
      threads: [t("a", 1, 30, BUSY, { meanRequestMs: 0.5, queued: 2 * SHORT_WAIT_MS }), t("b", 1, 30, BUSY, { meanRequestMs: 0.5, queued: 2 * SHORT_WAIT_MS + 1 }), t("c", 0, 0)],
      concurrency: 1,
      expected: "c",
    },
    {
      title: "a line of short requests longer than one of them but within SHORT_WAIT_MS: the thread that holds the core, not one beyond the cores",
      threads: [t("a", 1, 16, BUSY, { ...quick, meanRequestMs: 0.1, queued: 14 }), t("b", 0, 0)],
      concurrency: 1,
      cores: 1,
      expected: "a",
    },
    {
      title: "the threads that hold the cores: the one with fewer connections, though the other has room this moment",
      threads: [t("a", 0, 20, BUSY, quick), t("b", 1, 12, BUSY, quick), t("c", 0, 0)],
      concurrency: 1,
      expected: "b",
    },
    {
      title: "the threads that hold the cores, equal connections: the one with room before the one soon free",
      threads: [t("a", 1, 16, BUSY, quick), t("b", 0, 16, BUSY, quick)],
      concurrency: 1,
      expected: "b",
    },
    {
      title: "the threads that hold the cores: the one with fewer connections is passed over while it cannot be counted on",
      threads: [t("a", 1, 20, BUSY, quick), t("b", 1, 12, BUSY, { ...quick, runningMs: LONG_RUNNING_MS })],
      concurrency: 1,
      expected: "a",
    },
    {
      title: "short requests: only the threads with the most connections, as many as the cores, take more",
      threads: [t("a", 1, 2, BUSY, quick), t("b", 1, 9, BUSY, { ...quick, queued: 1 }), t("c", 1, 8, BUSY, { ...quick, queued: 1 }), t("d", 0, 0)],
      concurrency: 1,
      expected: "c",
    },
    {
      title: "short requests, no idle thread and no room: rather than waiting, the thread with fewer connections, though its line is a request longer",
      threads: [t("a", 1, 9, BUSY, quick), t("b", 1, 8, BUSY, { ...quick, queued: 1 })],
      concurrency: 1,
      expected: "b",
    },
    // Holding a connection back while the threads' history cannot tell.
    {
      title: "a burst before any request ended, the threads with connections full: held back, though an idle thread has room",
      threads: [t("a", 1, 1), t("b", 1, 1), t("c", 0, 0)],
      concurrency: 1,
      mayHold: true,
      expected: HOLD,
    },
    {
      title: "history of long requests, but the running ones young: held back, so a new load can show what it is",
      threads: [t("a", 1, 2, 0.1, { ...slow, runningMs: 1 }), t("b", 1, 2, 0.1, { ...slow, runningMs: 2 }), t("c", 0, 0)],
      concurrency: 1,
      mayHold: true,
      expected: HOLD,
    },
    {
      title: "the threads with connections run requests that have run long: not held, an idle thread takes it",
      threads: [t("a", 1, 2, 0.1, { runningMs: LONG_RUNNING_MS }), t("b", 1, 2, 0.1, { runningMs: 400 }), t("c", 0, 0)],
      concurrency: 1,
      mayHold: true,
      expected: "c",
    },
    {
      title: "a cold thread (a fresh process) running a request long while its code compiles: held back, not spread",
      threads: [t("a", 1, 1, 0.1, { runningMs: LONG_RUNNING_MS + 3, served: COLD_REQUESTS - 1 }), t("b", 0, 0, 0, { served: 0 })],
      concurrency: 1,
      cores: 1,
      mayHold: true,
      expected: HOLD,
    },
    {
      title: "the same thread once warm: its long request is a long one, an idle thread takes it",
      threads: [t("a", 1, 1, 0.1, { runningMs: LONG_RUNNING_MS + 3, served: COLD_REQUESTS }), t("b", 0, 0, 0, { served: 0 })],
      concurrency: 1,
      cores: 1,
      mayHold: true,
      expected: "b",
    },
    {
      title: "a cold thread past the hold: an idle thread takes it",
      threads: [t("a", 1, 1, 0.1, { runningMs: LONG_RUNNING_MS + 3, served: 0 }), t("b", 0, 0, 0, { served: 0 })],
      concurrency: 1,
      cores: 1,
      mayHold: false,
      expected: "b",
    },
    {
      title: "no idle thread with room: nothing to hold for, the connection waits",
      threads: [t("a", 1, 1), t("b", 1, 1)],
      concurrency: 1,
      mayHold: true,
      expected: undefined,
    },
    {
      title: "fewer threads with connections than cores: never held",
      threads: [t("a", 1, 1), t("b", 0, 0)],
      concurrency: 1,
      mayHold: true,
      expected: "b",
    },
    {
      title: "short requests known: placed at once, not held",
      threads: [t("a", 1, 9, BUSY, quick), t("b", 1, 8, BUSY, quick), t("c", 0, 0)],
      concurrency: 1,
      mayHold: true,
      expected: "b",
    },
  ];
  for (const { title, threads, concurrency, cores = 2, mayHold = false, expected } of cases) {
    it(title, () => {
      const chosen = placeConnection(threads, concurrency, cores, mayHold);
      expect(chosen === HOLD ? HOLD : chosen?.name).toBe(expected);
    });
  }
});

describe("expectedWaitMs", () => {
  it.each([
    ["room now", t("a", 1, 1, 0, { meanRequestMs: 2 }), 2, 0],
    ["one running, none waiting", t("a", 1, 1, 0, { meanRequestMs: 2 }), 1, 2],
    ["one running, two waiting", t("a", 1, 1, 0, { meanRequestMs: 2, queued: 2 }), 1, 6],
    ["four rooms taken, four waiting", t("a", 4, 1, 0, { meanRequestMs: 2, queued: 4 }), 4, 2.5],
    ["no history", t("a", 1, 1), 1, Number.POSITIVE_INFINITY],
    ["a request running long", t("a", 1, 1, 0, { meanRequestMs: 0.01, runningMs: LONG_RUNNING_MS + 1 }), 1, Number.POSITIVE_INFINITY],
  ])("%s", (_title, thread, concurrency, expected) => {
    expect(expectedWaitMs(thread, concurrency)).toBe(expected);
  });

});
