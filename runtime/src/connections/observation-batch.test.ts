import { describe, expect, it } from "vitest";
import { ObservationBatch } from "./observation-batch.ts";

const req = { method: "GET", url: "/x", socket: { remoteAddress: "127.0.0.1" } };

describe("ObservationBatch", () => {
  it("counts statuses and keeps every duration, per application", () => {
    const batch = new ObservationBatch(false);
    for (let i = 0; i < 600; i++) batch.answered("shop", i % 3 === 0 ? 500 : 200, i / 1000, req);
    batch.answered("blog", 404, 0.5, req);
    const { answered, requests } = batch.take();
    expect(requests).toEqual([]);
    const shop = answered.find((a) => a.application === "shop")!;
    expect(new Map(shop.statuses)).toEqual(new Map([[500, 200], [200, 400]]));
    expect(shop.durations.count).toBe(600);
    // 0, 0.001 | 0.002-0.005 | 0.006-0.01 | 0.011-0.05 | 0.051-0.1 | 0.101-0.25 | 0.251-0.5 | 0.501-0.599
    expect(shop.durations.counts).toEqual([2, 4, 5, 40, 50, 150, 250, 99, 0, 0, 0, 0, 0]);
    expect(shop.durations.sum).toBeCloseTo(179.7, 6);
    const blog = answered.find((a) => a.application === "blog");
    expect(blog?.statuses).toEqual([[404, 1]]);
    expect(blog?.durations.counts[6]).toBe(1);
  });

  it("keeps each request for the access log only when it is on", () => {
    const quiet = new ObservationBatch(false);
    quiet.answered("shop", 200, 0.1, req);
    expect(quiet.take().requests).toEqual([]);
    const logged = new ObservationBatch(true);
    logged.answered("shop", 200, 0.1, req);
    expect(logged.take().requests).toEqual([{ application: "shop", status: 200, seconds: 0.1, method: "GET", url: "/x", remoteAddress: "127.0.0.1" }]);
  });

  it("starts empty again after take()", () => {
    const batch = new ObservationBatch(true);
    batch.answered("shop", 200, 0.1, req);
    batch.queueWait(0.25);
    batch.clientError(431);
    batch.clientError(431);
    const first = batch.take();
    expect(first.queueWaits).toMatchObject({ count: 1, sum: 0.25 });
    expect(first.clientErrors).toEqual([[431, 2]]);
    expect(batch.take()).toMatchObject({ answered: [], requests: [], queueWaits: { count: 0 }, clientErrors: [] });
  });
});
