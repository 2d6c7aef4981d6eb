// The runtime bench: every server up at once and warmed, then rounds in which each workload is
// run against each server in turn (order alternating), one load at a time, from wrk.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { evaluateGoals } from "./goals.ts";
import { CPU_ITERATIONS } from "./handlers.ts";
import type { RuntimePlan } from "./plan.ts";
import { treeCpuSeconds } from "./process-tree.ts";
import { httpGet } from "./readiness.ts";
import { sampleRss } from "./rss-sampler.ts";
import { startServer, unavailableReason, type RunningServer, type ServerContext } from "./servers.ts";
import { orderForRound, summarise } from "./stats.ts";
import type { Tools } from "./tools.ts";
import type { Measurement, RuntimeBenchResult, ServerOutcome, Workload } from "./types.ts";
import { WORKLOADS } from "./workloads.ts";
import { runWrk } from "./wrk.ts";
import { socketErrorsOf } from "./wrk-result.ts";

export interface RuntimeBenchOptions {
  readonly plan: RuntimePlan;
  readonly tools: Tools;
  readonly progress: (line: string) => void;
}

const SETTLE_TIMEOUT_MS = 60_000;

const mib = (bytes: number) => `${(bytes / 2 ** 20).toFixed(0)} MiB`;

const HANDLER_FORMS = { fetch: "fetch-style (`{ fetch(request, env) }`)", listener: "Node listener (`(req, res) => ...`)" } as const;

function notesOf(plan: RuntimePlan): string[] {
  return [
    "wrk and every server share this machine's cores: a server's numbers include the CPU wrk takes from it, the same for all.",
    `All servers stay up for the whole run, idle while another is measured; "idle servers CPU" in the JSON shows what they took meanwhile.`,
    `The runtime serves the ${HANDLER_FORMS[plan.settings.runtimeHandlers[0]!]} form of the shared handler (bench/runtime/apps/runtime-${plan.settings.runtimeHandlers[0]!}.ts).`,
    "The runtime and mod_wsgi run at most processes × threads requests at once by design (a thread serves one request at a time); with 10 ms of I/O their ceiling is processes × threads × 100 req/s, while event-loop servers (node:http, node:cluster, PM2) overlap every connection's wait.",
    `CPU-bound: Node servers run ${CPU_ITERATIONS.toLocaleString("en")} iterations, mod_wsgi the same loop ${(CPU_ITERATIONS / 25).toLocaleString("en")} times (CPython is ~25× slower at it), about the same milliseconds per request: compare mod_wsgi's CPU numbers for parallelism only.`,
  ];
}

function settle(server: RunningServer): Promise<unknown> {
  // A request the server answers after the load stopped: whatever wrk left queued (mod_wsgi and
  // the runtime finish abandoned requests) is done before the next server is measured.
  return httpGet(`http://127.0.0.1:${server.port}/hello`, SETTLE_TIMEOUT_MS).catch(() => undefined);
}

async function cpuSecondsOf(servers: readonly RunningServer[]): Promise<number> {
  const seconds = await Promise.all(servers.map((s) => treeCpuSeconds(s.launched.pid)));
  return seconds.reduce((sum, s) => sum + s, 0);
}

export async function benchRuntime({ plan, tools, progress }: RuntimeBenchOptions): Promise<RuntimeBenchResult> {
  const started = performance.now();
  const { settings } = plan;
  const workloads = WORKLOADS;
  const outcomes = new Map<string, ServerOutcome>(plan.servers.map((spec) => [spec.id, { spec, started: false, startSeconds: null, problem: null }]));
  const notes = notesOf(plan);
  const toolStatuses = { ...tools };
  const result = (measurements: Measurement[], skipped: string | null): RuntimeBenchResult => {
    const summaries = summarise(measurements);
    return {
      skipped,
      settings,
      tools: toolStatuses,
      workloads,
      servers: [...outcomes.values()],
      measurements,
      summaries,
      goals: evaluateGoals(plan.servers, workloads, summaries),
      notes,
      seconds: Math.round((performance.now() - started) / 100) / 10,
    };
  };
  if (!tools.wrk.available) {
    progress(`runtime bench skipped: ${tools.wrk.reason}`);
    return result([], tools.wrk.reason);
  }
  const workDir = await mkdtemp(join(tmpdir(), "pg-bench-"));
  const context: ServerContext = { tools, workDir, maxConnections: Math.max(...workloads.map((w) => w.connections)) };
  const running: RunningServer[] = [];
  const stopAll = () => Promise.all(running.splice(0).map((s) => s.stop()));
  const onSignal = (signal: NodeJS.Signals) => {
    progress(`${signal}: stopping every server`);
    void stopAll().then(() => process.exit(130));
  };
  process.once("SIGINT", onSignal);
  process.once("SIGTERM", onSignal);
  const measurements: Measurement[] = [];
  try {
    for (const spec of plan.servers) {
      const reason = unavailableReason(spec, tools);
      if (reason !== null) {
        outcomes.set(spec.id, { spec, started: false, startSeconds: null, problem: reason });
        progress(`${spec.label}: not measured, ${reason}`);
        continue;
      }
      const t0 = performance.now();
      try {
        const server = await startServer(spec, context);
        running.push(server);
        const startSeconds = Math.round(performance.now() - t0) / 1000;
        outcomes.set(spec.id, { spec, started: true, startSeconds, problem: null });
        if (server.info !== null) notes.push(`${spec.label} reports: ${server.info}`);
        progress(`started ${spec.label} on port ${server.port} in ${startSeconds.toFixed(1)} s`);
      } catch (error) {
        const problem = `did not start: ${(error as Error).message}`;
        outcomes.set(spec.id, { spec, started: false, startSeconds: null, problem });
        progress(`${spec.label}: ${problem}`);
      }
    }
    const alive = (server: RunningServer) => {
      if (!server.launched.hasExited()) return true;
      const outcome = outcomes.get(server.spec.id)!;
      if (outcome.problem === null) {
        outcomes.set(server.spec.id, { ...outcome, problem: `exited during the run:\n${server.launched.tail()}` });
        progress(`${server.spec.label} exited during the run; its remaining measurements are skipped`);
      }
      return false;
    };
    const load = (server: RunningServer, workload: Workload, seconds: number) =>
      runWrk(tools.wrk.path!, {
        url: `http://127.0.0.1:${server.port}${workload.path}`,
        connections: workload.connections,
        seconds,
        threads: settings.wrkThreads,
        timeoutSeconds: settings.wrkTimeoutSeconds,
      });

    progress(`warming up ${running.length} servers (${settings.warmupSeconds} s per workload)`);
    for (const server of running) {
      for (const workload of workloads.filter((w) => server.spec.workloads.includes(w.id))) {
        if (!alive(server)) break;
        await load(server, workload, settings.warmupSeconds).catch((error: unknown) => progress(`warm-up of ${server.spec.label} on ${workload.id}: ${(error as Error).message}`));
        await settle(server);
      }
    }

    for (let round = 0; round < settings.rounds; round++) {
      for (const workload of workloads) {
        const servers = running.filter((s) => s.spec.workloads.includes(workload.id));
        for (const server of orderForRound(servers, round)) {
          if (!alive(server)) continue;
          const others = running.filter((s) => s !== server && !s.launched.hasExited());
          const [cpuBefore, othersBefore] = await Promise.all([cpuSecondsOf([server]), cpuSecondsOf(others)]);
          const sampler = sampleRss(server.launched.pid);
          const t0 = performance.now();
          let wrk;
          try {
            wrk = await load(server, workload, settings.seconds);
          } catch (error) {
            await sampler.stop();
            notes.push(`round ${round + 1}, ${workload.id}, ${server.spec.label}: load failed: ${(error as Error).message}`);
            progress(`round ${round + 1} ${workload.id} ${server.spec.label}: load failed: ${(error as Error).message}`);
            continue;
          }
          const wallSeconds = (performance.now() - t0) / 1000;
          const peakRssBytes = await sampler.stop();
          const [cpuAfter, othersAfter] = await Promise.all([cpuSecondsOf([server]), cpuSecondsOf(others)]);
          await settle(server);
          const measurement: Measurement = {
            round: round + 1,
            workload: workload.id,
            server: server.spec.id,
            requests: wrk.requests,
            seconds: wrk.seconds,
            requestsPerSecond: wrk.requestsPerSecond,
            p50Ms: wrk.p50Ms,
            p90Ms: wrk.p90Ms,
            p99Ms: wrk.p99Ms,
            maxMs: wrk.maxMs,
            httpErrors: wrk.httpErrors,
            socketErrors: socketErrorsOf(wrk),
            peakRssBytes,
            cpuMicrosPerRequest: wrk.requests > 0 ? ((cpuAfter - cpuBefore) * 1e6) / wrk.requests : null,
            idleServersCpuPercent: Math.round(((othersAfter - othersBefore) / wallSeconds) * 1000) / 10,
          };
          measurements.push(measurement);
          progress(progressLine(measurement, server, settings.rounds));
        }
      }
    }
  } finally {
    progress(`stopping ${running.length} servers`);
    await stopAll();
    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onSignal);
    await rm(workDir, { recursive: true, force: true });
  }
  return result(measurements, null);
}

function progressLine(m: Measurement, server: RunningServer, rounds: number): string {
  const errors = m.httpErrors + m.socketErrors;
  return [
    `round ${m.round}/${rounds}`,
    m.workload.padEnd(5),
    server.spec.label.padEnd(20),
    `${m.requestsPerSecond.toFixed(0).padStart(6)} req/s`,
    `p50 ${m.p50Ms.toFixed(2).padStart(7)} ms`,
    `p99 ${m.p99Ms.toFixed(2).padStart(7)} ms`,
    `errors ${errors}`,
    `rss ${mib(m.peakRssBytes)}`,
    m.cpuMicrosPerRequest === null ? "" : `cpu ${m.cpuMicrosPerRequest.toFixed(0)} µs/req`,
  ].join("  ");
}
