import { describe, expect, it } from "vitest";
import { forEachBounded } from "../../bench/operator/bounded.ts";
import { ConvergenceTracker, throughputPerSecond } from "../../bench/operator/convergence-tracker.ts";
import { percentile, summarize } from "../../bench/operator/percentiles.ts";

describe("percentile (nearest rank)", () => {
  const hundred = Array.from({ length: 100 }, (_, i) => 100 - i); // 100..1, unsorted on purpose

  it("is always one of the values: p50 of 1..100 is 50, p99 is 99, p100 the max", () => {
    expect(percentile(hundred, 50)).toBe(50);
    expect(percentile(hundred, 90)).toBe(90);
    expect(percentile(hundred, 99)).toBe(99);
    expect(percentile(hundred, 100)).toBe(100);
  });

  it("rounds the rank up on small samples", () => {
    expect(percentile([10, 20, 30], 50)).toBe(20);
    expect(percentile([10, 20, 30, 40], 50)).toBe(20);
    expect(percentile([10, 20, 30, 40], 99)).toBe(40);
    expect(percentile([7], 1)).toBe(7);
  });

  it("refuses no values and percentiles outside (0, 100]", () => {
    expect(() => percentile([], 50)).toThrow(/no values/);
    expect(() => percentile([1], 0)).toThrow();
    expect(() => percentile([1], 101)).toThrow();
  });

  it("summarizes count, p50, p90, p99 and max", () => {
    expect(summarize(hundred)).toEqual({ count: 100, p50Ms: 50, p90Ms: 90, p99Ms: 99, maxMs: 100 });
  });
});

describe("ConvergenceTracker", () => {
  it("counts an object done when its last milestone arrives, timed from its create start", () => {
    const tracker = new ConvergenceTracker(["deployment", "observedGeneration"] as const);
    tracker.start("a", 1_000);
    tracker.mark("a", "observedGeneration", 1_250);
    expect(tracker.done).toBe(0);
    tracker.mark("a", "deployment", 1_200);
    expect(tracker.done).toBe(1);
    expect(tracker.latencies()).toEqual([250]);
  });

  it("keeps the first sighting of a milestone: a later event says nothing about when it happened", () => {
    const tracker = new ConvergenceTracker(["replicaSet"] as const);
    tracker.start("a", 0);
    tracker.mark("a", "replicaSet", 40);
    tracker.mark("a", "replicaSet", 900);
    expect(tracker.latencies()).toEqual([40]);
  });

  it("accepts a milestone seen before the create answered (start is recorded before the request)", () => {
    const tracker = new ConvergenceTracker(["replicaSet"] as const);
    tracker.mark("early", "replicaSet", 30);
    expect(tracker.done).toBe(0);
    tracker.start("early", 10);
    expect(tracker.latencies()).toEqual([20]);
  });

  it("refuses to start one object twice", () => {
    const tracker = new ConvergenceTracker(["x"] as const);
    tracker.start("a", 0);
    expect(() => tracker.start("a", 1)).toThrow(/twice/);
  });

  it("resolves whenDone once enough objects are done, and spans first start to last done", async () => {
    const tracker = new ConvergenceTracker(["x"] as const);
    tracker.start("a", 100);
    tracker.start("b", 150);
    const both = tracker.whenDone(2);
    let resolved = false;
    void both.then(() => (resolved = true));
    tracker.mark("b", "x", 2_100);
    await Promise.resolve();
    expect(resolved).toBe(false);
    tracker.mark("a", "x", 1_100);
    await both;
    expect(tracker.span()).toEqual({ first: 100, last: 2_100 });
    expect(throughputPerSecond(2, { first: 100, last: 2_100 })).toBe(1);
    expect(tracker.latencies().sort((x, y) => x - y)).toEqual([1_000, 1_950]);
  });

  it("names what the pending objects still wait for", () => {
    const tracker = new ConvergenceTracker(["deployment", "observedGeneration"] as const);
    tracker.start("a", 0);
    tracker.mark("a", "deployment", 5);
    expect(tracker.pending()).toEqual(["a (waiting for observedGeneration)"]);
    expect(tracker.span()).toBeUndefined();
  });
});

describe("forEachBounded", () => {
  it("never has more than the limit in flight, and runs every item", async () => {
    let inFlight = 0;
    let most = 0;
    const seen: number[] = [];
    await forEachBounded([1, 2, 3, 4, 5, 6, 7], 3, async (item) => {
      inFlight++;
      most = Math.max(most, inFlight);
      await new Promise((resolve) => setImmediate(resolve));
      seen.push(item);
      inFlight--;
    });
    expect(most).toBe(3);
    expect(seen.sort()).toEqual([1, 2, 3, 4, 5, 6, 7]);
  });

  it("rejects with the first failure", async () => {
    await expect(
      forEachBounded([1, 2], 2, async (item) => {
        if (item === 2) throw new Error("refused");
      }),
    ).rejects.toThrow("refused");
  });
});
