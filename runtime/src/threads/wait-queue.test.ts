import { describe, expect, it } from "vitest";
import { manualTimers } from "../../../test/support/manual-timers.ts";
import { WaitQueue } from "./wait-queue.ts";

describe("WaitQueue", () => {
  it("serves first come first served and says how long each waited", () => {
    const timers = manualTimers();
    const queue = new WaitQueue<string>({ capacity: 5, timeoutMs: undefined, onTimeout: () => {}, timers });
    queue.push("a");
    timers.advance(10);
    queue.push("b");
    timers.advance(5);
    expect(queue.shift()).toEqual({ item: "a", waitedMs: 15 });
    expect(queue.shift()).toEqual({ item: "b", waitedMs: 5 });
    expect(queue.shift()).toBeUndefined();
  });

  it("refuses past its capacity", () => {
    const queue = new WaitQueue<number>({ capacity: 2, timeoutMs: undefined, onTimeout: () => {}, timers: manualTimers() });
    expect([queue.push(1), queue.push(2), queue.push(3)]).toEqual([true, true, false]);
    expect(queue.length).toBe(2);
  });

  it("hands back what waited longer than the timeout, and only that", () => {
    const timers = manualTimers();
    const expired: [string, number][] = [];
    const queue = new WaitQueue<string>({ capacity: 5, timeoutMs: 100, onTimeout: (item, waited) => expired.push([item, waited]), timers });
    queue.push("old");
    timers.advance(60);
    queue.push("young");
    timers.advance(40);
    expect(expired).toEqual([["old", 100]]);
    expect(queue.length).toBe(1);
    expect(queue.shift()?.item).toBe("young");
    timers.advance(1000);
    expect(expired).toHaveLength(1);
  });

  it("forgets an item taken out, so it never times out", () => {
    const timers = manualTimers();
    const expired: string[] = [];
    const queue = new WaitQueue<string>({ capacity: 5, timeoutMs: 100, onTimeout: (item) => expired.push(item), timers });
    queue.push("gone");
    expect(queue.remove("gone")).toBe(true);
    expect(queue.remove("gone")).toBe(false);
    timers.advance(200);
    expect(expired).toEqual([]);
  });
});
