// The issue's goals, computed from the medians. Pure: every goal says its target, what was
// measured and whether it was met, or that it could not be evaluated and why.
import { findSummary, ratio } from "./stats.ts";
import type { GoalResult, ServerSpec, Summary, Workload, WorkloadId } from "./types.ts";

interface RatioGoal {
  readonly id: string;
  readonly description: string;
  readonly workload: WorkloadId;
  readonly server: string;
  readonly baseline: string;
  readonly target: number;
}

const RATIO_GOALS: readonly RatioGoal[] = [
  { id: "hello-vs-plain", description: "hello world: runtime 1×15 ≥ 0.8× plain node:http", workload: "hello", server: "runtime-1x15", baseline: "plain", target: 0.8 },
  { id: "hello-1x2-vs-cluster", description: "hello world: runtime 1×2 ≥ 0.9× node:cluster ×2", workload: "hello", server: "runtime-1x2", baseline: "cluster-2", target: 0.9 },
  { id: "hello-2x2-vs-cluster", description: "hello world: runtime 2×2 ≥ 0.9× node:cluster ×2", workload: "hello", server: "runtime-2x2", baseline: "cluster-2", target: 0.9 },
  { id: "hello-vs-mod-wsgi", description: "hello world: runtime 2×15 ≥ 3× mod_wsgi 2×15", workload: "hello", server: "runtime-2x15", baseline: "apache-2x15", target: 3 },
  { id: "bytes-vs-cluster", description: "64 KiB: runtime 2×2 ≥ 0.9× node:cluster ×2 (same process count)", workload: "bytes", server: "runtime-2x2", baseline: "cluster-2", target: 0.9 },
  { id: "io-concurrency", description: "10 ms I/O, 64 connections: runtime 1×2 with concurrency 64 ≥ 0.9× node:cluster ×2", workload: "io", server: "runtime-1x2-c64", baseline: "cluster-2", target: 0.9 },
  { id: "cpu-parallelism", description: "CPU-bound: runtime with 2 threads (1×2) ≥ 1.8× one plain node:http process", workload: "cpu", server: "runtime-1x2", baseline: "plain", target: 1.8 },
];

/** RSS of the whole process tree after (at the peak of) the hello-world load, at most `target` times the baseline's. */
const MEMORY_GOALS: readonly RatioGoal[] = [
  { id: "memory-1x15", description: "memory: RSS of runtime 1×15 under hello world ≤ 1.6× node:cluster ×2", workload: "hello", server: "runtime-1x15", baseline: "cluster-2", target: 1.6 },
  { id: "memory-1x2", description: "memory: RSS of runtime 1×2 under hello world ≤ 1.0× node:cluster ×2", workload: "hello", server: "runtime-1x2", baseline: "cluster-2", target: 1 },
];

const PEER_KINDS: readonly ServerSpec["kind"][] = ["cluster", "pm2"];

const fmt = (value: number) => `${value.toFixed(2)}×`;

function ratioGoal(goal: RatioGoal, summaries: readonly Summary[]): GoalResult {
  const server = findSummary(summaries, goal.server, goal.workload);
  const baseline = findSummary(summaries, goal.baseline, goal.workload);
  const measured = ratio(server?.requestsPerSecond, baseline?.requestsPerSecond);
  const base = { id: goal.id, description: goal.description, target: goal.target };
  if (measured === null || server === undefined || baseline === undefined) {
    const missing = [server === undefined ? goal.server : null, baseline === undefined ? goal.baseline : null].filter((s) => s !== null);
    return { ...base, measured: null, met: null, detail: `not evaluated: no ${goal.workload} measurement of ${missing.join(" or ") || "a positive baseline"}` };
  }
  return {
    ...base,
    measured,
    met: measured >= goal.target,
    detail: `${server.requestsPerSecond.toFixed(0)} vs ${baseline.requestsPerSecond.toFixed(0)} req/s = ${fmt(measured)} (target ${fmt(goal.target)})`,
  };
}

const mib = (bytes: number) => `${(bytes / 2 ** 20).toFixed(0)} MiB`;

function memoryGoal(goal: RatioGoal, summaries: readonly Summary[]): GoalResult {
  const server = findSummary(summaries, goal.server, goal.workload);
  const baseline = findSummary(summaries, goal.baseline, goal.workload);
  const measured = ratio(server?.peakRssBytes, baseline?.peakRssBytes);
  const base = { id: goal.id, description: goal.description, target: goal.target, atMost: true };
  if (measured === null || server === undefined || baseline === undefined) {
    return { ...base, measured: null, met: null, detail: `not evaluated: no ${goal.workload} measurement of ${server === undefined ? goal.server : goal.baseline}` };
  }
  return { ...base, measured, met: measured <= goal.target, detail: `${mib(server.peakRssBytes)} vs ${mib(baseline.peakRssBytes)} = ${fmt(measured)} (at most ${fmt(goal.target)})` };
}

/** "never below node:cluster/PM2 at the same process count", one goal per workload over every pair. */
function peerGoal(workload: Workload, servers: readonly ServerSpec[], summaries: readonly Summary[]): GoalResult {
  const pairs: { text: string; value: number }[] = [];
  for (const runtime of servers.filter((s) => s.kind === "runtime")) {
    const ours = findSummary(summaries, runtime.id, workload.id);
    for (const peer of servers.filter((s) => PEER_KINDS.includes(s.kind) && s.processes === runtime.processes)) {
      const theirs = findSummary(summaries, peer.id, workload.id);
      const value = ratio(ours?.requestsPerSecond, theirs?.requestsPerSecond);
      if (value === null) continue;
      const capped = runtime.concurrencyCap !== null && runtime.concurrencyCap < workload.connections && workload.id === "io";
      pairs.push({ text: `${runtime.label} / ${peer.label} ${fmt(value)}${capped ? ` (capped at ${runtime.concurrencyCap} requests at once by design)` : ""}`, value });
    }
  }
  const base = {
    id: `peers-${workload.id}`,
    description: `${workload.label}: runtime never below node:cluster/PM2 at the same process count`,
    target: 1,
  };
  if (pairs.length === 0) return { ...base, measured: null, met: null, detail: "not evaluated: no runtime and peer with the same process count both measured" };
  pairs.sort((a, b) => a.value - b.value);
  const lowest = pairs[0]!.value;
  const below = pairs.filter((p) => p.value < 1);
  return {
    ...base,
    measured: lowest,
    met: below.length === 0,
    detail: below.length === 0 ? `all ${pairs.length} pairs ≥ 1×; lowest ${pairs[0]!.text}` : `${below.length} of ${pairs.length} pairs below: ${below.map((p) => p.text).join("; ")}`,
  };
}

export function evaluateGoals(servers: readonly ServerSpec[], workloads: readonly Workload[], summaries: readonly Summary[]): GoalResult[] {
  return [...RATIO_GOALS.map((goal) => ratioGoal(goal, summaries)), ...MEMORY_GOALS.map((goal) => memoryGoal(goal, summaries)), ...workloads.map((w) => peerGoal(w, servers, summaries))];
}
