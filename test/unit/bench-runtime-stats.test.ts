import { describe, expect, it } from "vitest";
import { evaluateGoals } from "../../bench/runtime/goals.ts";
import { estimatedSeconds, runtimePlan, serverSpecs } from "../../bench/runtime/plan.ts";
import { median, orderForRound, ratio, summarise } from "../../bench/runtime/stats.ts";
import type { Measurement, WorkloadId } from "../../bench/runtime/types.ts";
import { WORKLOADS } from "../../bench/runtime/workloads.ts";

function measurement(server: string, workload: WorkloadId, round: number, requestsPerSecond: number, extra: Partial<Measurement> = {}): Measurement {
  return {
    round,
    workload,
    server,
    requests: requestsPerSecond * 2,
    seconds: 2,
    requestsPerSecond,
    p50Ms: 1,
    p90Ms: 2,
    p99Ms: 3,
    maxMs: 4,
    httpErrors: 0,
    socketErrors: 0,
    peakRssBytes: 100,
    cpuMicrosPerRequest: 50,
    idleServersCpuPercent: 0,
    ...extra,
  };
}

describe("median and ratio", () => {
  it("takes the middle value, or the mean of the two middle ones", () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(median([7])).toBe(7);
    expect(() => median([])).toThrow(RangeError);
  });

  it("gives null instead of dividing by nothing", () => {
    expect(ratio(3, 2)).toBe(1.5);
    expect(ratio(3, 0)).toBeNull();
    expect(ratio(undefined, 2)).toBeNull();
    expect(ratio(3, null)).toBeNull();
  });
});

describe("orderForRound", () => {
  it("rotates and reverses every other round, so no server always goes first or follows the same one", () => {
    const servers = ["a", "b", "c"];
    expect(orderForRound(servers, 0)).toEqual(["a", "b", "c"]);
    expect(orderForRound(servers, 1)).toEqual(["a", "c", "b"]);
    expect(orderForRound(servers, 2)).toEqual(["c", "a", "b"]);
    const firsts = new Set([0, 1, 2, 3, 4, 5].map((r) => orderForRound(servers, r)[0]));
    expect(firsts.size).toBe(3);
    for (let r = 0; r < 6; r++) expect([...orderForRound(servers, r)].sort()).toEqual(servers);
    expect(orderForRound([], 3)).toEqual([]);
  });
});

describe("summarise", () => {
  it("takes medians over rounds, sums errors, keeps the highest RSS and divides by plain node:http", () => {
    const summaries = summarise([
      measurement("plain", "hello", 1, 100),
      measurement("plain", "hello", 2, 300),
      measurement("plain", "hello", 3, 200),
      measurement("runtime-1x15", "hello", 3, 50, { httpErrors: 1, peakRssBytes: 900, p99Ms: 9 }),
      measurement("runtime-1x15", "hello", 1, 70, { socketErrors: 2, p99Ms: 7 }),
      measurement("runtime-1x15", "hello", 2, 40, { p99Ms: 8 }),
    ]);
    const runtime = summaries.find((s) => s.server === "runtime-1x15")!;
    expect(runtime.requestsPerSecond).toBe(50);
    expect(runtime.requestsPerSecondByRound).toEqual([70, 40, 50]);
    expect(runtime.p99Ms).toBe(8);
    expect(runtime.httpErrors).toBe(1);
    expect(runtime.socketErrors).toBe(2);
    expect(runtime.peakRssBytes).toBe(900);
    expect(runtime.ratioToPlain).toBe(0.25);
    expect(summaries.find((s) => s.server === "plain")!.ratioToPlain).toBe(1);
  });

  it("has no ratio where plain node:http was not measured", () => {
    expect(summarise([measurement("cluster-2", "cpu", 1, 10)])[0]!.ratioToPlain).toBeNull();
  });
});

describe("evaluateGoals", () => {
  const servers = serverSpecs("quick", false);
  const goal = (goals: ReturnType<typeof evaluateGoals>, id: string) => goals.find((g) => g.id === id)!;

  it("says met or not met from the medians, with the numbers", () => {
    const goals = evaluateGoals(
      servers,
      WORKLOADS,
      summarise([
        measurement("plain", "hello", 1, 1000),
        measurement("runtime-1x15", "hello", 1, 800),
        measurement("runtime-2x15", "hello", 1, 800),
        measurement("apache-2x15", "hello", 1, 300),
        measurement("plain", "cpu", 1, 100),
        measurement("runtime-1x2", "cpu", 1, 170),
      ]),
    );
    expect(goal(goals, "hello-vs-plain")).toMatchObject({ measured: 0.8, met: true });
    expect(goal(goals, "hello-vs-mod-wsgi").met).toBe(false);
    expect(goal(goals, "hello-vs-mod-wsgi").measured).toBeCloseTo(800 / 300, 9);
    expect(goal(goals, "cpu-parallelism")).toMatchObject({ measured: 1.7, met: false });
    expect(goal(goals, "cpu-parallelism").detail).toContain("170 vs 100 req/s");
  });

  it("does not evaluate a goal whose servers did not run", () => {
    const goals = evaluateGoals(servers, WORKLOADS, summarise([measurement("plain", "hello", 1, 1000)]));
    expect(goal(goals, "hello-vs-plain")).toMatchObject({ met: null, measured: null });
    expect(goal(goals, "hello-vs-plain").detail).toContain("runtime-1x15");
    expect(goal(goals, "peers-hello").met).toBeNull();
  });

  it("compares every runtime shape with node:cluster and PM2 of the same process count, reporting the lowest", () => {
    const goals = evaluateGoals(
      servers,
      WORKLOADS,
      summarise([
        measurement("cluster-2", "io", 1, 6000),
        measurement("pm2-2", "io", 1, 5000),
        measurement("runtime-2x15", "io", 1, 2900),
        measurement("runtime-2x1", "io", 1, 190),
        measurement("runtime-1x15", "io", 1, 99999),
        measurement("cluster-2", "cpu", 1, 300),
        measurement("pm2-2", "cpu", 1, 290),
        measurement("runtime-2x1", "cpu", 1, 310),
      ]),
    );
    const io = goal(goals, "peers-io");
    expect(io.met).toBe(false);
    expect(io.measured).toBeCloseTo(190 / 6000, 9);
    expect(io.detail).toContain("4 of 4 pairs below");
    expect(io.detail).toContain("capped at 2 requests at once by design");
    const cpu = goal(goals, "peers-cpu");
    expect(cpu.met).toBe(true);
    expect(cpu.measured).toBeCloseTo(310 / 300, 9);
  });
});

describe("runtimePlan", () => {
  it("runs every runtime shape and the 2-process peers in quick mode, more in full", () => {
    const quick = runtimePlan({ mode: "quick" }).servers.map((s) => s.id);
    expect(quick).toEqual([
      "plain",
      "cluster-2",
      "pm2-2",
      "runtime-1x1",
      "runtime-1x2",
      "runtime-1x15",
      "runtime-2x1",
      "runtime-2x2",
      "runtime-2x15",
      "runtime-1x2-c64",
      "runtime-1x2-request",
      "runtime-1x15-request",
      "apache-1x15",
      "apache-2x15",
    ]);
    const full = runtimePlan({ mode: "full" });
    expect(full.servers.map((s) => s.id)).toContain("apache-1x1");
    expect(full.servers.map((s) => s.id)).toContain("cluster-1");
    expect(full.settings.rounds).toBeGreaterThan(runtimePlan({ mode: "quick" }).settings.rounds);
  });

  it("keeps plain node:http when servers are picked, and refuses unknown ids", () => {
    expect(runtimePlan({ mode: "quick", only: ["runtime-1x2"] }).servers.map((s) => s.id)).toEqual(["plain", "runtime-1x2"]);
    expect(() => runtimePlan({ mode: "quick", only: ["apache-9x9"] })).toThrow(/unknown server apache-9x9/);
  });

  it("measures a second handler form beside the main one under its own ids", () => {
    const plan = runtimePlan({ mode: "quick", runtimeHandlers: ["listener", "fetch"] });
    expect(plan.servers.find((s) => s.id === "runtime-1x15")?.handler).toBe("listener");
    expect(plan.servers.find((s) => s.id === "runtime-1x15-fetch")?.handler).toBe("fetch");
    expect(() => runtimePlan({ mode: "quick", runtimeHandlers: ["fetch", "fetch"] })).toThrow(RangeError);
  });
});

describe("estimatedSeconds", () => {
  it("keeps quick mode within eight minutes and full mode within 35", () => {
    expect(estimatedSeconds(runtimePlan({ mode: "quick" }))).toBeLessThan(8 * 60);
    expect(estimatedSeconds(runtimePlan({ mode: "full" }))).toBeLessThan(35 * 60);
  });
});
