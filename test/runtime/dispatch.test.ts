import { describe, expect, it } from "vitest";
import { sleep, withGroup } from "./support/harness.ts";
import { getFresh } from "./support/fresh.ts";

// Per-request dispatch: a process with two application groups routes each request through
// the main thread's scheduler to a thread of its group.

interface Ran {
  threadId: number;
  started: number;
  ended: number;
}

/** Group "a" holds the app that blocks its thread; group "b" makes the process dispatch per request. */
const twoGroups = (extra: Record<string, unknown> = {}) => ({
  threads: 2,
  gracefulTimeoutSeconds: 1,
  ...extra,
  applications: [
    { name: "work", mount: "/work", entry: "work.mjs", applicationGroup: "a" },
    { name: "block", mount: "/block", entry: "blocking.mjs", applicationGroup: "a" },
    { name: "other", mount: "/other", entry: "work.mjs", applicationGroup: "b" },
  ],
});

/** Long enough for any answer the scheduler owes; the blocked requests never get one. */
const NO_ANSWER = AbortSignal.timeout.bind(AbortSignal, 8_000);

describe("a blocked thread", () => {
  it.each([
    ["loops for ever", "/block/loop"],
    ["runs seconds of CPU-bound work", "/block/busy?ms=10000"],
  ])("keeps no waiting request from a free thread: while one thread %s, the next request runs on the first thread to finish", async (_, blockPath) => {
    await withGroup(twoGroups(), async (group) => {
      const blocker = new AbortController();
      const slow = group.json<Ran>("/work/sleep?ms=1000", { signal: NO_ANSWER() });
      await sleep(200);
      const blocked = group.get(blockPath, { signal: blocker.signal }).catch(() => "aborted");
      await sleep(200);
      const short = await group.json<Ran>("/work/sleep?ms=0", { signal: NO_ANSWER() });
      const first = await slow;
      expect(short.threadId).toBe(first.threadId);
      expect(short.started).toBeGreaterThanOrEqual(first.ended);
      // The other group has threads of its own.
      expect((await group.get("/other/", { signal: NO_ANSWER() })).status).toBe(200);
      blocker.abort();
      expect(await blocked).toBe("aborted");
    });
  });

  it("lets the queue timeout answer a GET behind blocked threads 503 at the deadline, like a POST", async () => {
    await withGroup(twoGroups({ queueTimeoutSeconds: 2 }), async (group) => {
      const blocker = new AbortController();
      const blocked = [1, 2].map(() => group.get("/block/loop", { signal: blocker.signal }).catch(() => "aborted"));
      await sleep(300);
      const answers = await Promise.all([
        group.get("/work/", { signal: NO_ANSWER() }),
        group.get("/work/", { method: "POST", body: "a body", signal: NO_ANSWER() }),
      ]);
      for (const res of answers) {
        expect(res.status).toBe(503);
        expect(res.headers.get("retry-after")).toBe("1");
        const waited = Number(/queue timeout \((\d+) ms\)/.exec(await res.text())?.[1]);
        expect(waited).toBeGreaterThanOrEqual(2_000);
        // Answered at its own deadline, not at some later event such as a thread freeing up.
        expect(waited).toBeLessThan(4_000);
      }
      blocker.abort();
      expect(await Promise.all(blocked)).toEqual(["aborted", "aborted"]);
    });
  });
});

interface InFlight extends Ran {
  /** How many of the app's requests ran on its thread when this one started, and when it ended. */
  atStart: number;
  atEnd: number;
}

describe("concurrency", () => {
  it.each(["request", "connection"] as const)("runs up to `concurrency` requests at once on one thread, and no more, in %s dispatch", async (dispatch) => {
    await withGroup({
      threads: 1,
      concurrency: 4,
      applications: [
        { name: "wait", mount: "/wait", entry: "in-flight.mjs", applicationGroup: "a" },
        // A second group makes the process dispatch requests; connection dispatch needs one.
        ...(dispatch === "request" ? [{ name: "other", mount: "/other", entry: "work.mjs", applicationGroup: "b" }] : []),
      ],
    }, async (group) => {
      // Each on a connection of its own: in connection dispatch a connection's requests go one after another.
      const get = async () => JSON.parse((await getFresh(`${group.url}/wait/?ms=300`)).body) as InFlight;
      const four = await Promise.all([get(), get(), get(), get()]);
      expect(new Set(four.map((r) => r.threadId)).size).toBe(1);
      // All four were in flight at once: the last to start saw four, the first to end too.
      expect(Math.max(...four.map((r) => r.atStart))).toBe(4);
      expect(Math.max(...four.map((r) => r.atEnd))).toBe(4);
      // Six at once: two wait in the main thread until a request ends.
      const six = await Promise.all(Array.from({ length: 6 }, get));
      expect(Math.max(...six.map((r) => r.atStart))).toBe(4);
      const firstEnd = Math.min(...six.map((r) => r.ended));
      expect(six.filter((r) => r.started >= firstEnd)).toHaveLength(2);
    }, { dispatch });
  });

  it("runs one request at a time on a thread by default", async () => {
    await withGroup({
      threads: 1,
      applications: [
        { name: "wait", mount: "/wait", entry: "in-flight.mjs", applicationGroup: "a" },
        { name: "other", mount: "/other", entry: "work.mjs", applicationGroup: "b" },
      ],
    }, async (group) => {
      const three = await Promise.all([1, 2, 3].map(() => group.json<InFlight>("/wait/?ms=100")));
      expect(three.map((r) => [r.atStart, r.atEnd])).toEqual([[1, 1], [1, 1], [1, 1]]);
    });
  });
});
