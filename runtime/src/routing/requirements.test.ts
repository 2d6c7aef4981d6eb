import { describe, expect, it } from "vitest";
import { requirementProblem } from "./requirements.ts";

describe("requirementProblem", () => {
  const running = { multiprocess: true, multithread: false };
  it("accepts an app without requirements or with matching ones", () => {
    expect(requirementProblem({ name: "a", requires: undefined }, running)).toBeUndefined();
    expect(requirementProblem({ name: "a", requires: { multiprocess: true, multithread: false } }, running)).toBeUndefined();
  });

  it("names the flag, both values and the rule", () => {
    expect(requirementProblem({ name: "debugger", requires: { multiprocess: false } }, running)).toBe(
      "application debugger requires multiprocess=false but the group runs with multiprocess=true (multiprocess is false only when the group omits processes: this app needs processes omitted)",
    );
    expect(requirementProblem({ name: "a", requires: { multithread: true } }, running)).toMatch(/requires multithread=true .* threads > 1/);
  });

  it("lists every contradiction", () => {
    expect(requirementProblem({ name: "a", requires: { multiprocess: false, multithread: true } }, running)?.split("; ")).toHaveLength(2);
  });
});
