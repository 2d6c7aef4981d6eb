import { describe, expect, it } from "vitest";
import { manualTimers } from "../../../test/support/manual-timers.ts";
import { testThread, type TestThread } from "../../../test/support/thread-view.ts";
import { ConnectionAdmission } from "./connection-admission.ts";
import { HOLD_MS } from "./place-connection.ts";

const thread = testThread;

/** An admission over `threads` as the pool would run it, recording what it does. */
function admissionOf(threads: TestThread[], options: { capacity?: number; timeoutMs?: number; cores?: number; ready?: boolean; onWantRoom?: () => void } = {}) {
  const timers = manualTimers();
  const soon: (() => void)[] = [];
  const log = { handed: [] as string[], refused: [] as string[], waited: [] as number[], wanted: 0 };
  let ready = options.ready ?? true;
  const admission = new ConnectionAdmission<string, TestThread>(
    { group: "g", capacity: options.capacity ?? 10, timeoutMs: options.timeoutMs, concurrency: 1, cores: options.cores ?? 2, timers, soon: (callback) => soon.push(callback) },
    {
      ready: () => ready,
      candidates: () => threads,
      wantRoom: () => {
        log.wanted += 1;
        options.onWantRoom?.();
      },
      hand: (t, connection) => {
        // As ThreadLoad counts it: a handed connection is about to run a request.
        t.inflight += 1;
        t.fresh += 1;
        t.connections += 1;
        log.handed.push(`${connection}->${t.name}`);
      },
      refuse: (connection, status, message) => void log.refused.push(`${connection} ${status} ${message}`),
      waited: (ms) => void log.waited.push(ms),
    },
  );
  const runSoon = () => {
    for (const callback of soon.splice(0)) callback();
  };
  return { admission, timers, log, runSoon, becomeReady: () => (ready = true) };
}

describe("ConnectionAdmission", () => {
  it("hands a connection to a thread with room at once, and asks no thread for room", () => {
    const { admission, log } = admissionOf([thread("a", { inflight: 1, connections: 1 }), thread("b")]);
    admission.accept("c1");
    expect(log.handed).toEqual(["c1->b"]);
    expect(admission.waiting).toBe(0);
    expect(log.wanted).toBe(0);
  });

  it("keeps a connection waiting while no thread has room, asks the threads to say when one has, and places it then", () => {
    const a = thread("a", { inflight: 1, connections: 1 });
    const { admission, timers, log } = admissionOf([a]);
    admission.accept("c1");
    expect(log.handed).toEqual([]);
    expect(admission.waiting).toBe(1);
    expect(log.wanted).toBe(1);
    timers.advance(7);
    a.inflight = 0;
    admission.placeWaiting();
    expect(log.handed).toEqual(["c1->a"]);
    expect(log.waited).toEqual([7]);
    expect(admission.waiting).toBe(0);
  });

  it("serves first come first served: a newcomer waits behind a waiting connection, though a thread has room now", () => {
    const a = thread("a", { inflight: 1, connections: 1 });
    const { admission, log } = admissionOf([a], { cores: 1 });
    admission.accept("c1");
    a.inflight = 0;
    admission.accept("c2");
    expect(log.handed).toEqual([]);
    admission.placeWaiting();
    // c1 took the room; c2 waits for the next.
    expect(log.handed).toEqual(["c1->a"]);
    expect(admission.waiting).toBe(1);
  });

  it("refuses a connection with 503 naming listenBacklog when the line is full and no thread has room", () => {
    const { admission, log } = admissionOf([thread("a", { inflight: 1, connections: 1 })], { capacity: 1 });
    admission.accept("c1");
    admission.accept("c2");
    expect(log.refused).toEqual(["c2 503 all threads of application group g are busy and 1 requests are already waiting (listenBacklog)"]);
    expect(admission.waiting).toBe(1);
  });

  it("refuses a connection with 503 once it has waited the queue timeout, and counts the wait", () => {
    const { admission, timers, log } = admissionOf([thread("a", { inflight: 1, connections: 1 })], { timeoutMs: 2_000 });
    admission.accept("c1");
    timers.advance(1_999);
    expect(log.refused).toEqual([]);
    timers.advance(1);
    expect(log.refused).toEqual(["c1 503 no thread of application group g became free within the queue timeout (2000 ms)"]);
    expect(log.waited).toEqual([2_000]);
    expect(admission.waiting).toBe(0);
  });

  it("holds a connection back for the threads that hold the cores, then gives it to an idle thread after HOLD_MS", () => {
    // One core, taken by a thread whose young request may end soon; b is idle.
    const a = thread("a", { inflight: 1, connections: 1, fresh: 1 });
    const { admission, timers, log } = admissionOf([a, thread("b")], { cores: 1 });
    admission.accept("c1");
    expect(log.handed).toEqual([]);
    expect(admission.waiting).toBe(1);
    timers.advance(HOLD_MS - 1);
    expect(log.handed).toEqual([]);
    timers.advance(1);
    expect(log.handed).toEqual(["c1->b"]);
  });

  it("gives a held connection to the busy thread when it has room within HOLD_MS", () => {
    const a = thread("a", { inflight: 1, connections: 1, fresh: 1 });
    const { admission, timers, log } = admissionOf([a, thread("b")], { cores: 1 });
    admission.accept("c1");
    timers.advance(10);
    a.inflight = 0;
    a.fresh = 0;
    admission.placeWaiting();
    expect(log.handed).toEqual(["c1->a"]);
    timers.advance(HOLD_MS);
    expect(log.handed).toEqual(["c1->a"]);
  });

  it("lets a held connection's newcomer take a thread with room rather than get a 503 when the held fill the line", () => {
    const a = thread("a", { inflight: 1, connections: 1, fresh: 1 });
    const { admission, log } = admissionOf([a, thread("b")], { cores: 1, capacity: 1 });
    admission.accept("c1");
    admission.accept("c2");
    expect(log.refused).toEqual([]);
    expect(log.handed).toEqual(["c2->b"]);
    expect(admission.waiting).toBe(1);
  });

  it("looks again soon when a thread made room while the connection was being put in line", () => {
    // The race: the thread ends its request after placement found no room and before it
    // asked for room, so the thread saw no one wanting it and will send no "room" message.
    const a = thread("a", { inflight: 1, connections: 1 });
    const { admission, log, runSoon } = admissionOf([a], { cores: 1, onWantRoom: () => (a.inflight = 0) });
    admission.accept("c1");
    expect(log.handed).toEqual([]);
    runSoon();
    expect(log.handed).toEqual(["c1->a"]);
    expect(admission.waiting).toBe(0);
  });

  it("does not look again when no thread has room after it asked", () => {
    const { admission, log, runSoon } = admissionOf([thread("a", { inflight: 1, connections: 1 })], { cores: 1 });
    admission.accept("c1");
    runSoon();
    expect(log.handed).toEqual([]);
    expect(admission.waiting).toBe(1);
  });

  it("keeps connections waiting until the threads have loaded, then places them in order", () => {
    const { admission, log, becomeReady } = admissionOf([thread("a"), thread("b")], { ready: false, cores: 2 });
    admission.accept("c1");
    admission.accept("c2");
    admission.placeWaiting();
    expect(log.handed).toEqual([]);
    becomeReady();
    admission.placeWaiting();
    expect(log.handed).toEqual(["c1->a", "c2->b"]);
  });

  it("gives back what waits when it is cleared, and then times nothing out", () => {
    const { admission, timers, log } = admissionOf([thread("a", { inflight: 1, connections: 1 })], { timeoutMs: 100 });
    admission.accept("c1");
    admission.accept("c2");
    expect(admission.clear()).toEqual(["c1", "c2"]);
    timers.advance(1_000);
    expect(log.refused).toEqual([]);
  });
});
