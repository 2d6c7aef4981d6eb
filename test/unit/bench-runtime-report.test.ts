import { describe, expect, it } from "vitest";
import { evaluateGoals } from "../../bench/runtime/goals.ts";
import { runtimePlan } from "../../bench/runtime/plan.ts";
import { runtimeReport } from "../../bench/runtime/report.ts";
import { summarise } from "../../bench/runtime/stats.ts";
import type { Measurement, RuntimeBenchResult, WorkloadId } from "../../bench/runtime/types.ts";
import { WORKLOADS } from "../../bench/runtime/workloads.ts";

const plan = runtimePlan({ mode: "quick", only: ["runtime-1x15", "pm2-2"] });

function measurement(server: string, workload: WorkloadId, round: number, requestsPerSecond: number): Measurement {
  return {
    round,
    workload,
    server,
    requests: requestsPerSecond * 2,
    seconds: 2,
    requestsPerSecond,
    p50Ms: 1.5,
    p90Ms: 2,
    p99Ms: 12.25,
    maxMs: 20,
    httpErrors: server === "runtime-1x15" ? 2 : 0,
    socketErrors: 0,
    peakRssBytes: 300 * 2 ** 20,
    cpuMicrosPerRequest: 120,
    idleServersCpuPercent: 0,
  };
}

function result(measurements: Measurement[]): RuntimeBenchResult {
  const summaries = summarise(measurements);
  return {
    skipped: null,
    settings: plan.settings,
    tools: {},
    workloads: WORKLOADS,
    servers: plan.servers.map((spec) => ({
      spec,
      started: spec.kind !== "pm2",
      startSeconds: 1,
      problem: spec.kind === "pm2" ? "PM2 is not installed: run `bash bench/setup.sh`" : null,
    })),
    measurements,
    summaries,
    goals: evaluateGoals(plan.servers, WORKLOADS, summaries),
    notes: ["wrk shares the cores"],
    seconds: 10,
  };
}

describe("runtimeReport", () => {
  const report = runtimeReport(
    result([measurement("plain", "hello", 1, 10000), measurement("plain", "hello", 2, 12000), measurement("runtime-1x15", "hello", 1, 4000), measurement("runtime-1x15", "hello", 2, 5000)]),
  );

  it("shows each server's median req/s with its ratio to plain node:http, and its peak RSS", () => {
    expect(report).toMatch(/\| node:http \| — \| 11,000 \(1\.00×\) \|/);
    expect(report).toMatch(/\| runtime 1×15 \| 15 \| 4,500 \(0\.41×\) \| — \| — \| — \| 300 MiB \|/);
  });

  it("says which goals were met, not met or not evaluated", () => {
    expect(report).toContain("| hello world: runtime 1×15 ≥ 0.8× plain node:http | ≥ 0.80× | 0.41× | **not met** |");
    expect(report).toContain("not evaluated");
  });

  it("lists errors, servers that did not run and the notes", () => {
    expect(report).toMatch(/\| runtime 1×15 \| hello \| 4 \| 0 \|/);
    expect(report).toContain("- PM2 cluster ×2: PM2 is not installed");
    expect(report).toContain("- wrk shares the cores");
  });

  it("says why nothing was measured when the bench was skipped", () => {
    expect(runtimeReport({ ...result([]), skipped: "wrk is not on PATH" })).toContain("Not measured: wrk is not on PATH");
  });
});

describe("memory goals", () => {
  const withRss = (server: string, mib: number): Measurement => ({ ...measurement(server, "hello", 1, 1000), peakRssBytes: mib * 2 ** 20 });
  const goalsOf = (runtimeMib: number) => {
    const summaries = summarise([withRss("plain", 80), withRss("cluster-2", 200), withRss("runtime-1x15", runtimeMib), withRss("runtime-1x2", runtimeMib)]);
    return evaluateGoals(runtimePlan({ mode: "quick" }).servers, WORKLOADS, summaries).filter((g) => g.id.startsWith("memory-"));
  };

  it("are ceilings: met at or below the ratio, not met above it", () => {
    const [at15, at2] = goalsOf(200);
    expect(at15).toMatchObject({ id: "memory-1x15", atMost: true, measured: 1, met: true });
    expect(at2).toMatchObject({ id: "memory-1x2", measured: 1, met: true });
    const [over15, over2] = goalsOf(330);
    expect(over15).toMatchObject({ measured: 1.65, met: false });
    expect(over2?.met).toBe(false);
  });

  it("show as ≤ in the report", () => {
    const summaries = summarise([withRss("plain", 80), withRss("cluster-2", 200), withRss("runtime-1x15", 300)]);
    const text = runtimeReport({ ...result([]), summaries, goals: evaluateGoals(runtimePlan({ mode: "quick" }).servers, WORKLOADS, summaries) });
    expect(text).toContain("| memory: RSS of runtime 1×15 under hello world ≤ 1.6× node:cluster ×2 | ≤ 1.60× | 1.50× | **met** |");
  });
});
