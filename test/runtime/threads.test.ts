import { describe, expect, it } from "vitest";
import type { Dispatch } from "../../runtime/src/settings/dispatch.ts";
import { getFresh } from "./support/fresh.ts";
import { withGroup } from "./support/harness.ts";

interface Ran {
  threadId: number;
  started: number;
  ended: number;
}

/**
 * Four CPU-bound requests at once. In connection dispatch each goes on a connection of its
 * own: a keep-alive pool may put two on one connection, and so on one thread.
 */
async function fourAtOnce(threads: number, dispatch: Dispatch): Promise<Ran[]> {
  return withGroup({ threads, applications: [{ name: "work", mount: "/", entry: "work.mjs" }] }, async (group) => {
    const ask = async (path: string) => (dispatch === "request" ? group.json<Ran>(path) : (JSON.parse((await getFresh(`${group.url}${path}`)).body) as Ran));
    await Promise.all(Array.from({ length: threads }, () => ask("/cpu?units=1"))); // warm every thread
    // Long enough that the moment placement may hold a burst's connections (HOLD_MS, 50 ms)
    // is small beside them: 15 units ran 65-100 ms on a fast machine, and a held pair of
    // connections started 50 ms late brought four threads' concurrency under 2.5.
    return await Promise.all(Array.from({ length: 4 }, () => ask("/cpu?units=40")));
  }, { dispatch });
}

/**
 * How many requests were running at once, on average: the time they spent running, added
 * up, over the time the batch took. One thread gives 1; four threads give 4 whether or not
 * four cores were free (two here, shared with whatever else runs), which a wall-clock
 * speed-up could not promise.
 */
function concurrency(runs: Ran[]): number {
  const first = Math.min(...runs.map((r) => r.started));
  const last = Math.max(...runs.map((r) => r.ended));
  return runs.reduce((sum, r) => sum + (r.ended - r.started), 0) / (last - first);
}

/** Pairs of requests whose time on a thread overlapped. */
function overlaps(runs: Ran[]): number {
  let n = 0;
  for (const [i, a] of runs.entries()) for (const b of runs.slice(i + 1)) if (a.started < b.ended && b.started < a.ended) n += 1;
  return n;
}

describe.each(["connection", "request"] as const)("multithreading, in %s dispatch", (dispatch) => {
  it("runs four CPU-bound requests at once on four threads, and one after another on one", async () => {
    const one = await fourAtOnce(1, dispatch);
    const four = await fourAtOnce(4, dispatch);
    expect(new Set(one.map((r) => r.threadId)).size).toBe(1);
    expect(overlaps(one)).toBe(0);
    expect(new Set(four.map((r) => r.threadId)).size).toBe(4);
    expect(overlaps(four)).toBe(6);
    expect(concurrency(four) / concurrency(one)).toBeGreaterThan(2.5);
  });
});
