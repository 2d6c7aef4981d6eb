import { describe, expect, it } from "vitest";
import { quotaCores } from "./cpu-cores.ts";

describe("quotaCores", () => {
  it.each([
    ["cgroup v2, two cores", "200000 100000\n", undefined, undefined, 2],
    ["cgroup v2, half a core counts as one", "50000 100000\n", undefined, undefined, 1],
    ["cgroup v2, 1.5 cores round up", "150000 100000\n", undefined, undefined, 2],
    ["cgroup v2, no limit", "max 100000\n", undefined, undefined, undefined],
    ["cgroup v1, four cores", undefined, "400000\n", "100000\n", 4],
    ["cgroup v1, no limit", undefined, "-1\n", "100000\n", undefined],
    ["nothing readable", undefined, undefined, undefined, undefined],
    ["text not understood", "lots\n", undefined, undefined, undefined],
  ])("%s", (_title, v2, quota, period, expected) => {
    expect(quotaCores(v2, quota, period)).toBe(expected);
  });
});
