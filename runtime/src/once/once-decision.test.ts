import { describe, expect, it } from "vitest";
import { claimed, decideClaim, finished, released, renewed, renewIntervalMs, retryDelayMs, type OnceRecord } from "./once-decision.ts";
import { onceKeyProblem } from "./once-key.ts";
import { OnceTable } from "./once-table.ts";

const TAKEOVER = 15_000;

describe("decideClaim", () => {
  const table: [string, OnceRecord | undefined, number, ReturnType<typeof decideClaim>][] = [
    ["nobody ever claimed it: run", undefined, 0, { kind: "run", takeover: false }],
    ["held, renewed just now: wait", { holder: "a", renewedAt: 1_000 }, 1_000, { kind: "held", holder: "a", retryAt: 16_000 }],
    ["held, renewed 1 ms inside the takeover time: wait", { holder: "a", renewedAt: 1_000 }, 15_999, { kind: "held", holder: "a", retryAt: 16_000 }],
    ["held, not renewed for the takeover time: take over", { holder: "a", renewedAt: 1_000 }, 16_000, { kind: "run", takeover: true }],
    ["released by a runner that died: take over at once", { holder: undefined, renewedAt: 1_000 }, 1_001, { kind: "run", takeover: true }],
    ["done: never again", { holder: "a", renewedAt: 1_000, done: {} }, 100_000, { kind: "done", error: undefined }],
    ["failed: done, with its error", { holder: "a", renewedAt: 1_000, done: { error: "boom" } }, 100_000, { kind: "done", error: "boom" }],
  ];
  it.each(table)("%s", (_name, record, now, expected) => {
    expect(decideClaim(record, now, TAKEOVER)).toEqual(expected);
  });
});

describe("record transitions", () => {
  it("only the holder renews or releases; a finish is recorded whoever sends it", () => {
    const held = claimed("a", 0);
    expect(renewed(held, "a", 5)).toEqual({ holder: "a", renewedAt: 5 });
    expect(renewed(held, "b", 5)).toBeUndefined();
    expect(renewed({ ...held, done: {} }, "a", 5)).toBeUndefined();
    expect(released(held, "b")).toBeUndefined();
    expect(released(held, "a")).toEqual({ holder: undefined, renewedAt: 0 });
    expect(finished(claimed("b", 3), "a", 9, "late")).toEqual({ holder: "b", renewedAt: 9, done: { error: "late" } });
  });

  it("renews three times per takeover time and asks again no later than the expiry", () => {
    expect(renewIntervalMs(15_000)).toBe(5_000);
    expect(retryDelayMs({ kind: "held", holder: "a", retryAt: 20_000 }, 0, 15_000)).toBe(2_000);
    expect(retryDelayMs({ kind: "held", holder: "a", retryAt: 150 }, 0, 15_000)).toBe(150);
  });
});

describe("OnceTable with a fake clock", () => {
  it("one claimant runs; the others wait until it finishes or stops renewing", () => {
    let now = 0;
    const table = new OnceTable(1_000, () => now);
    expect(table.claimNow("k", "a").kind).toBe("run");
    expect(table.claimNow("k", "b").kind).toBe("held");
    now = 900;
    expect(table.renewNow("k", "a")).toBe(true);
    now = 1_800;
    expect(table.claimNow("k", "b").kind).toBe("held");
    now = 1_900;
    expect(table.claimNow("k", "b")).toEqual({ kind: "run", takeover: true });
    expect(table.renewNow("k", "a")).toBe(false);
    table.finishNow("k", "b", undefined);
    expect(table.claimNow("k", "c")).toEqual({ kind: "done", error: undefined });
  });

  it("gives back the runs of a process that died", () => {
    const table = new OnceTable(60_000, () => 0);
    table.claimNow("k", "pod/41/1");
    table.claimNow("j", "pod/42/2");
    expect(table.releaseWhere((holder) => holder.split("/")[1] === "41")).toEqual(["k"]);
    expect(table.claimNow("k", "pod/42/3")).toEqual({ kind: "run", takeover: true });
    expect(table.claimNow("j", "pod/42/4").kind).toBe("held");
  });
});

describe("onceKeyProblem", () => {
  it.each(["resume-unfinished", "a", "0", "a".repeat(63)])("accepts %s", (key) => expect(onceKeyProblem(key)).toBeUndefined());
  it.each(["", "Resume", "a_b", "-a", "a-", "a.b", "a".repeat(64), 3, undefined])("refuses %s, naming the rule", (key) => {
    expect(onceKeyProblem(key)).toMatch(/1 to 63 lowercase letters, digits and '-'/);
  });
});
