import { describe, expect, test } from "vitest";
import { SharedConnections } from "./shared-connections.ts";

describe("SharedConnections", () => {
  const make = () => {
    const retired: string[] = [];
    const shared = new SharedConnections<string>({ maxAgeMs: 1_000, retire: (pool) => retired.push(pool) });
    return { shared, retired };
  };

  test("every request within the max age uses the first pool; the fresh ones are closed unused", () => {
    const { shared, retired } = make();
    expect(shared.take("a", 0)).toBe("a");
    expect(shared.take("b", 10)).toBe("a");
    expect(shared.take("c", 999)).toBe("a");
    expect(retired).toEqual(["b", "c"]);
  });

  test("once the pool is old, the fresh one takes over and the old one is retired", () => {
    const { shared, retired } = make();
    shared.take("a", 0);
    expect(shared.take("b", 1_000)).toBe("b");
    expect(retired).toEqual(["a"]);
    expect(shared.take("c", 1_500)).toBe("b");
  });

  test("without a fresh pool (plain HTTP, no TLS options) nothing is shared", () => {
    const { shared, retired } = make();
    expect(shared.take(undefined, 0)).toBeUndefined();
    expect(shared.take(undefined, 5_000)).toBeUndefined();
    expect(retired).toEqual([]);
  });

  test("the same pool handed back is not retired", () => {
    const { shared, retired } = make();
    shared.take("a", 0);
    expect(shared.take("a", 1)).toBe("a");
    expect(retired).toEqual([]);
  });
});
