import { describe, expect, test } from "vitest";
import { FakeClock } from "../testing/fake-clock.ts";
import { backoffDelay } from "./backoff.ts";
import { WorkQueue } from "./work-queue.ts";

const newQueue = (clock = new FakeClock()) => new WorkQueue({ clock, backoff: { baseMs: 100, maxMs: 1_000 } });

describe("WorkQueue", () => {
  test("collapses duplicate adds of a waiting key", async () => {
    const q = newQueue();
    q.add("ns/a");
    q.add("ns/b");
    q.add("ns/a");
    expect(q.length).toBe(2);
    expect(await q.get()).toBe("ns/a");
    expect(await q.get()).toBe("ns/b");
  });

  test("never hands out a key that is being processed; re-adds it after done", async () => {
    const q = newQueue();
    q.add("ns/a");
    const first = await q.get();
    q.add("ns/a");
    q.add("ns/a");
    expect(q.length).toBe(0);
    let second: string | undefined;
    void q.get().then((k) => (second = k));
    await Promise.resolve();
    expect(second).toBeUndefined();
    q.done(first ?? "");
    await Promise.resolve();
    expect(second).toBe("ns/a");
  });

  test("hands different keys to parallel getters", async () => {
    const q = newQueue();
    const getters = [q.get(), q.get()];
    q.add("ns/a");
    q.add("ns/b");
    expect(await Promise.all(getters)).toEqual(["ns/a", "ns/b"]);
    expect(q.processing).toBe(2);
  });

  test("backs off exponentially per key, capped, and forget resets it", async () => {
    const clock = new FakeClock();
    const q = newQueue(clock);
    expect([1, 2, 3, 4, 5, 10].map((n) => backoffDelay({ baseMs: 100, maxMs: 1_000 }, n))).toEqual([100, 200, 400, 800, 1_000, 1_000]);
    expect(q.addRateLimited("ns/a")).toBe(100);
    expect(q.length).toBe(0);
    await clock.advance(99);
    expect(q.length).toBe(0);
    await clock.advance(1);
    expect(q.length).toBe(1);
    expect(q.addRateLimited("ns/a")).toBe(200);
    q.forget("ns/a");
    expect(q.failures("ns/a")).toBe(0);
    expect(q.addRateLimited("ns/a")).toBe(100);
  });

  test("an earlier delayed add of the same key wins over a later one", async () => {
    const clock = new FakeClock();
    const q = newQueue(clock);
    q.addAfter("ns/a", 1_000);
    q.addAfter("ns/a", 100);
    q.addAfter("ns/a", 5_000);
    await clock.advance(100);
    expect(q.length).toBe(1);
    await q.get().then((k) => q.done(k ?? ""));
    await clock.advance(10_000);
    expect(q.length).toBe(0);
  });

  test("shutDown releases waiting getters, drops delayed adds and ignores new keys; drained waits for in-flight work", async () => {
    const clock = new FakeClock();
    const q = newQueue(clock);
    q.add("ns/a");
    const key = await q.get();
    const waiting = q.get();
    q.addAfter("ns/b", 100);
    q.shutDown();
    expect(await waiting).toBeUndefined();
    q.add("ns/c");
    await clock.advance(1_000);
    expect(q.length).toBe(0);
    let drained = false;
    void q.drained().then(() => (drained = true));
    await Promise.resolve();
    expect(drained).toBe(false);
    q.done(key ?? "");
    await Promise.resolve();
    expect(drained).toBe(true);
    expect(await q.get()).toBeUndefined();
  });

  test("reports its depth", () => {
    const depths: number[] = [];
    const q = new WorkQueue({ clock: new FakeClock(), onDepth: (d) => depths.push(d) });
    q.add("a");
    q.add("b");
    void q.get();
    expect(depths).toEqual([1, 2, 1]);
  });
});
