import { describe, expect, it } from "vitest";
import { SharedStore } from "./shared-store.ts";

describe("SharedStore", () => {
  it("gets, sets and deletes", () => {
    const store = new SharedStore();
    expect(store.apply({ op: "get", key: "k" })).toBeUndefined();
    store.apply({ op: "set", key: "k", value: { a: [1] } });
    expect(store.apply({ op: "get", key: "k" })).toEqual({ a: [1] });
    expect(store.apply({ op: "delete", key: "k" })).toBe(true);
    expect(store.apply({ op: "delete", key: "k" })).toBe(false);
  });

  it("increments from zero and refuses to increment a non-number", () => {
    const store = new SharedStore();
    expect(store.apply({ op: "increment", key: "n", by: 1 })).toBe(1);
    expect(store.apply({ op: "increment", key: "n", by: 5 })).toBe(6);
    store.apply({ op: "set", key: "s", value: "text" });
    expect(() => store.apply({ op: "increment", key: "s", by: 1 })).toThrow(/holds a string/);
  });

  it("compares as data before it sets", () => {
    const store = new SharedStore();
    expect(store.apply({ op: "compareAndSet", key: "c", expected: undefined, value: { v: 1 } })).toBe(true);
    expect(store.apply({ op: "compareAndSet", key: "c", expected: undefined, value: { v: 2 } })).toBe(false);
    expect(store.apply({ op: "compareAndSet", key: "c", expected: { v: 1 }, value: { v: 2 } })).toBe(true);
    expect(store.apply({ op: "get", key: "c" })).toEqual({ v: 2 });
  });
});
