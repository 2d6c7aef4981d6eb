import { describe, expect, it } from "vitest";
import { evaluateGoals } from "../../bench/operator/goals.ts";
import type { OperatorBenchResult, PhaseResult } from "../../bench/operator/result.ts";
import { formatDuration, operatorTable } from "../../bench/operator/table.ts";

describe("evaluateGoals", () => {
  it("meets each goal at its bound and misses it just past", () => {
    const at = evaluateGoals({ n: 1000, ratioP50: 1.5, writesPerMinute: 0, rssMb: 150 });
    expect(at.map((g) => g.met)).toEqual([true, true, true]);
    const past = evaluateGoals({ n: 1000, ratioP50: 1.51, writesPerMinute: 0.4, rssMb: 150.1 });
    expect(past.map((g) => g.met)).toEqual([false, false, false]);
  });

  it("says when memory was measured below the N the goal is stated for", () => {
    const [, , quick] = evaluateGoals({ n: 100, ratioP50: 1, writesPerMinute: 0, rssMb: 90 });
    expect(quick?.met).toBe(true);
    expect(quick?.note).toMatch(/N=100.*N=1000/);
    const [, , full] = evaluateGoals({ n: 1000, ratioP50: 1, writesPerMinute: 0, rssMb: 90 });
    expect(full?.note).toBeUndefined();
  });

  it("keeps the numbers it judged", () => {
    const [ratio, writes, rss] = evaluateGoals({ n: 1000, ratioP50: 0.8, writesPerMinute: 2, rssMb: 120 });
    expect([ratio?.actual, writes?.actual, rss?.actual]).toEqual([0.8, 2, 120]);
    expect(ratio?.target).toBe("<= 1.5x");
  });
});

describe("formatDuration", () => {
  it("uses ms below a second and seconds above", () => {
    expect(formatDuration(12.4)).toBe("12 ms");
    expect(formatDuration(1_234)).toBe("1.23 s");
    expect(formatDuration(65_400)).toBe("65.4 s");
    expect(formatDuration(Number.NaN)).toBe("n/a");
  });
});

const phase = (p50Ms: number, throughputPerS: number): PhaseResult => ({
  objects: 100,
  elapsedS: 100 / throughputPerS,
  throughputPerS,
  latency: { count: 100, p50Ms, p90Ms: p50Ms * 2, p99Ms: p50Ms * 3, maxMs: p50Ms * 4 },
  createsElapsedS: 1.2,
  clientConcurrency: 16,
  cpuSeconds: { operator: 2.5, controllerManager: 1.25, apiserver: 10 },
});

const result: OperatorBenchResult = {
  benchmark: "operator",
  mode: "quick",
  n: 100,
  startedAt: "2026-11-22T05:00:00.000Z",
  durationS: 170,
  machine: { cpus: 2, loadAverage1mAtStart: 1.5 },
  versions: { kubernetes: "v1.36.3", etcd: "v3.6.16", kwok: "v0.7.0", node: "v24.21.0", operator: "0.1.0", clientNode: "2.0.1" },
  limits: {
    operator: { concurrency: 4, clientQps: "unlimited", resyncPeriodS: 30 },
    controllerManager: { kubeApiQps: "20", kubeApiBurst: "30", concurrentDeploymentSyncs: "5", source: "defaults" },
  },
  processGroups: phase(600, 20),
  deployments: phase(400, 25),
  ratio: { p50: 1.5, p99: 1.5, throughput: 0.8 },
  allReady: true,
  steadyState: {
    windowS: 60,
    reconciles: 200,
    writes: 3,
    writesPerMinute: 3,
    writesByRequest: { "patch processgroups 200": 3 },
    leaseWritesPerMinute: 30,
    apiserverWrites: 3,
    settleS: 0.5,
    operatorCpuSecondsPerMinute: 0.75,
  },
  memory: { rssAtConvergenceMb: 80, rssSteadyMaxMb: 81.25, peakRssMb: 99 },
  goals: evaluateGoals({ n: 100, ratioP50: 1.5, writesPerMinute: 3, rssMb: 81.25 }),
};

describe("operatorTable", () => {
  const table = operatorTable(result);
  const lines = table.split("\n");

  it("is one markdown table: a header, a separator, and rows of three cells", () => {
    expect(lines[0]).toBe("| operator benchmark | value | goal |");
    expect(lines[1]).toBe("|---|---|---|");
    for (const line of lines.slice(2)) expect(line.replaceAll("\\|", "").split("|").length - 2).toBe(3);
  });

  it("shows both phases' latencies and the ratio with its goal", () => {
    expect(table).toContain("600 ms / 1.20 s / 1.80 s / 2.40 s");
    expect(table).toContain("400 ms / 800 ms / 1.20 s / 1.60 s");
    expect(lines.find((l) => l.startsWith("| p50 latency"))).toContain("1.50x | <= 1.5x: **met**");
  });

  it("names the writes of an unmet steady-state goal and the limits that pace each controller", () => {
    const writes = lines.find((l) => l.startsWith("| writes per minute"));
    expect(writes).toContain("patch processgroups 200: 3");
    expect(writes).toContain("**not met**");
    expect(table).toContain("--kube-api-qps 20, --kube-api-burst 30");
    expect(table).toContain("no client QPS limit");
  });

  it("reports the CPU each process spent on a phase, and the operator's when idle", () => {
    expect(table).toContain("CPU seconds of operator / kube-controller-manager / kube-apiserver | 2.5 / 1.3 / 10.0");
    expect(lines.find((l) => l.startsWith("| operator CPU seconds per minute"))).toContain("| 0.75 |");
  });

  it("reports memory with its caveat at N=100", () => {
    expect(table).toContain("80.0 MB / 81.3 MB / 99.0 MB");
    expect(table).toContain("only --full measures");
  });
});
