import { Histogram, Registry } from "prom-client";
import { describe, expect, it } from "vitest";
import { BucketHistogram } from "./bucket-histogram.ts";
import { addObservation, bucketOf, emptyBucketCounts, LATENCY_BUCKETS } from "./buckets.ts";

const help = "Time it took.";
const values = [0, 0.001, 0.0011, 0.004, 0.2, 0.25, 0.7, 3, 31, 1e9];

describe("BucketHistogram", () => {
  it("prints what prom-client's Histogram prints for the same observations", async () => {
    const ours = new Registry();
    const theirs = new Registry();
    const histogram = new BucketHistogram<"application">({ name: "took_seconds", help, buckets: LATENCY_BUCKETS, registers: [ours] });
    const reference = new Histogram({ name: "took_seconds", help, labelNames: ["application"], buckets: [...LATENCY_BUCKETS], registers: [theirs] });
    for (const [i, seconds] of values.entries()) {
      const application = i % 2 === 0 ? "shop" : "blog";
      histogram.observe({ application }, seconds);
      reference.observe({ application }, seconds);
    }
    expect(await ours.metrics()).toBe(await theirs.metrics());
  });

  it("adds counts taken elsewhere as if each value had been observed here", async () => {
    const observed = new Registry();
    const added = new Registry();
    const one = new BucketHistogram<"application">({ name: "took_seconds", help, buckets: LATENCY_BUCKETS, registers: [observed] });
    const other = new BucketHistogram<"application">({ name: "took_seconds", help, buckets: LATENCY_BUCKETS, registers: [added] });
    const taken = emptyBucketCounts();
    for (const seconds of values) {
      one.observe({ application: "shop" }, seconds);
      addObservation(taken, seconds);
    }
    other.add({ application: "shop" }, taken);
    expect(await added.metrics()).toBe(await observed.metrics());
    expect(await added.metrics()).toContain('took_seconds_bucket{le="0.005",application="shop"} 4');
  });

  it("puts a value on a bound into that bound's bucket", () => {
    expect(bucketOf(0.001)).toBe(0);
    expect(bucketOf(0.0010001)).toBe(1);
    expect(bucketOf(30)).toBe(LATENCY_BUCKETS.length - 1);
    expect(bucketOf(30.5)).toBe(LATENCY_BUCKETS.length);
  });
});
