import { describe, expect, it } from "vitest";
import { ConnectionBudget } from "./connection-budget.ts";

describe("ConnectionBudget", () => {
  it("starts a connection's requests up to the limit at once, the rest in order as earlier ones are done", () => {
    const budget = new ConnectionBudget<object>(2);
    const a = {};
    const started: string[] = [];
    const done = ["1", "2", "3", "4"].map((n) => budget.admit(a, () => started.push(n)));
    expect(started).toEqual(["1", "2"]);
    done[1]!();
    expect(started).toEqual(["1", "2", "3"]);
    done[0]!();
    done[0]!(); // twice counts once
    expect(started).toEqual(["1", "2", "3", "4"]);
  });

  it("keeps connections apart", () => {
    const budget = new ConnectionBudget<object>(1);
    const started: string[] = [];
    budget.admit({}, () => started.push("a1"));
    budget.admit({}, () => started.push("b1"));
    expect(started).toEqual(["a1", "b1"]);
  });

  it("never starts a waiting request whose client left; its place goes on to the next", () => {
    const budget = new ConnectionBudget<object>(1);
    const a = {};
    const started: string[] = [];
    const first = budget.admit(a, () => started.push("1"));
    const second = budget.admit(a, () => started.push("2"));
    budget.admit(a, () => started.push("3"));
    second();
    first();
    expect(started).toEqual(["1", "3"]);
  });
});
