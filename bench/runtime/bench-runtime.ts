// The runtime bench: every server started and warmed up, then rounds in which each workload is
// run against each server in turn (order alternating), one at a time, the others frozen.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { evaluateGoals } from "./goals.ts";
import { CPU_ITERATIONS } from "./handlers.mjs";
import { load, measure, settle } from "./measure.ts";
import { estimatedSeconds, type RuntimePlan } from "./plan.ts";
import { Fleet } from "./fleet.ts";
import { median, orderForRound, summarise } from "./stats.ts";
import type { Tools } from "./tools.ts";
import type { Measurement, RuntimeBenchResult } from "./types.ts";
import { WORKLOADS } from "./workloads.ts";

export interface RuntimeBenchOptions {
  readonly plan: RuntimePlan;
  readonly tools: Tools;
  readonly progress: (line: string) => void;
}

const HANDLER_FORMS = { fetch: "fetch-style (`{ fetch(request, env) }`)", listener: "Node listener (`(req, res) => ...`)" } as const;

function notesOf(plan: RuntimePlan): string[] {
  const main = plan.settings.runtimeHandlers[0]!;
  return [
    "wrk and the servers share this machine's cores: every server's numbers include the CPU wrk takes from it, the same for all.",
    "Every server is started and warmed up first; while one is measured, the others are frozen (SIGSTOP) and take no CPU.",
    `The runtime serves the ${HANDLER_FORMS[main]} form of the shared handler (bench/runtime/apps/runtime-${main}.mjs).`,
    "The runtime and mod_wsgi run at most processes × threads requests at once by design (a thread serves one request at a time); with 10 ms of I/O their ceiling is processes × threads × 100 req/s, while event-loop servers (node:http, node:cluster, PM2) overlap every connection's wait.",
    `CPU-bound: Node servers run ${CPU_ITERATIONS.toLocaleString("en")} iterations, mod_wsgi the same loop ${(CPU_ITERATIONS / 25).toLocaleString("en")} times (CPython is ~25× slower at it), about the same milliseconds per request: compare mod_wsgi's CPU numbers for parallelism only.`,
  ];
}

function progressLine(m: Measurement, label: string, rounds: number): string {
  return [
    `round ${m.round}/${rounds}`,
    m.workload.padEnd(5),
    label.padEnd(20),
    `${m.requestsPerSecond.toFixed(0).padStart(6)} req/s`,
    `p50 ${m.p50Ms.toFixed(2).padStart(7)} ms`,
    `p99 ${m.p99Ms.toFixed(2).padStart(7)} ms`,
    `errors ${m.httpErrors + m.socketErrors}`,
    `rss ${(m.peakRssBytes / 2 ** 20).toFixed(0)} MiB`,
    m.cpuMicrosPerRequest === null ? "" : `cpu ${m.cpuMicrosPerRequest.toFixed(0)} µs/req`,
  ].join("  ");
}

export async function benchRuntime({ plan, tools, progress }: RuntimeBenchOptions): Promise<RuntimeBenchResult> {
  const started = performance.now();
  const { settings } = plan;
  const workloads = WORKLOADS;
  const notes = notesOf(plan);
  const fleet = new Fleet(plan, progress);
  const measurements: Measurement[] = [];
  const result = (skipped: string | null): RuntimeBenchResult => {
    const summaries = summarise(measurements);
    const idle = measurements.map((m) => m.idleServersCpuPercent);
    if (idle.length > 0) notes.push(`The frozen servers took ${median(idle)}% of a core (median over measurements; at most ${Math.max(...idle)}%).`);
    return {
      skipped,
      settings,
      tools: { ...tools },
      workloads,
      servers: fleet.outcomes,
      measurements,
      summaries,
      goals: evaluateGoals(plan.servers, workloads, summaries),
      notes,
      seconds: Math.round((performance.now() - started) / 100) / 10,
    };
  };
  if (!tools.wrk.available) {
    progress(`runtime bench skipped: ${tools.wrk.reason}`);
    return result(tools.wrk.reason);
  }
  const wrk = tools.wrk.path!;
  progress(
    `runtime bench: ${plan.servers.length} servers, ${workloads.length} workloads, ${settings.rounds} rounds of ${settings.seconds} s; about ${Math.ceil(estimatedSeconds(plan) / 60)} minutes`,
  );
  const workDir = await mkdtemp(join(tmpdir(), "pg-bench-"));
  const onSignal = (signal: NodeJS.Signals) => {
    progress(`${signal}: stopping every server`);
    void fleet.stopAll().then(() => process.exit(130));
  };
  // A closed terminal (SIGHUP) too: Apache takes SIGHUP as "reload" and would outlive the bench.
  const signals: NodeJS.Signals[] = ["SIGINT", "SIGTERM", "SIGHUP"];
  for (const signal of signals) process.once(signal, onSignal);
  try {
    await fleet.start(plan, tools, { tools, workDir, maxConnections: Math.max(...workloads.map((w) => w.connections)) }, notes);
    progress(`warming up ${fleet.running.length} servers (${settings.warmupSeconds} s per workload)`);
    for (const server of fleet.running) {
      await fleet.with(server, async () => {
        for (const workload of workloads.filter((w) => server.spec.workloads.includes(w.id))) {
          if (!fleet.alive(server)) return;
          await load({ wrk, server, workload, settings }, settings.warmupSeconds).catch((error: unknown) =>
            progress(`warm-up of ${server.spec.label} on ${workload.id}: ${(error as Error).message}`),
          );
          await settle(server);
        }
      });
    }
    for (let round = 1; round <= settings.rounds; round++) {
      for (const workload of workloads) {
        const servers = fleet.running.filter((s) => s.spec.workloads.includes(workload.id));
        for (const server of orderForRound(servers, round - 1)) {
          if (!fleet.alive(server)) continue;
          try {
            const measurement = await fleet.with(server, () => measure({ wrk, server, workload, settings }, round, fleet.frozenProcesses()));
            measurements.push(measurement);
            progress(progressLine(measurement, server.spec.label, settings.rounds));
          } catch (error) {
            const problem = `round ${round}, ${workload.id}, ${server.spec.label}: load failed: ${(error as Error).message}`;
            notes.push(problem);
            progress(problem);
          }
        }
      }
    }
  } finally {
    progress(`stopping ${fleet.running.length} servers`);
    await fleet.stopAll();
    for (const signal of signals) process.off(signal, onSignal);
    await rm(workDir, { recursive: true, force: true });
  }
  return result(null);
}
