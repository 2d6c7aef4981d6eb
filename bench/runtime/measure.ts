// One measurement: a wrk load against one server, with its peak RSS and CPU per request, and
// the CPU the other (frozen) servers took meanwhile as a check that they stayed out of it.
import { statOf, treeCpuSeconds } from "./process-tree.ts";
import { CLOCK_TICKS_PER_SECOND, type ProcStat } from "./proc-stat.ts";
import { httpGet } from "./readiness.ts";
import { sampleRss } from "./rss-sampler.ts";
import type { RunningServer } from "./servers.ts";
import type { Measurement, RuntimeSettings, Workload } from "./types.ts";
import { runWrk } from "./wrk.ts";
import { socketErrorsOf, type WrkResult } from "./wrk-result.ts";

const SETTLE_TIMEOUT_MS = 60_000;

export interface LoadTarget {
  readonly wrk: string;
  readonly server: RunningServer;
  readonly workload: Workload;
  readonly settings: RuntimeSettings;
}

export function load({ wrk, server, workload, settings }: LoadTarget, seconds: number): Promise<WrkResult> {
  return runWrk(wrk, {
    url: `http://127.0.0.1:${server.port}${workload.path}`,
    connections: workload.connections,
    seconds,
    threads: settings.wrkThreads,
    timeoutSeconds: settings.wrkTimeoutSeconds,
  });
}

/**
 * Waits for one more answer after a load: work the server still had queued when wrk left
 * (mod_wsgi and the runtime finish abandoned requests) is done before it is frozen.
 */
export function settle(server: RunningServer): Promise<unknown> {
  return httpGet(`http://127.0.0.1:${server.port}/hello`, SETTLE_TIMEOUT_MS).catch(() => undefined);
}

/** Tick-sampled CPU of the frozen servers' processes: cheap, and enough to show they took none. */
async function othersCpuSeconds(others: readonly ProcStat[]): Promise<number> {
  const now = await Promise.all(others.map((p) => statOf(p.pid)));
  return now.reduce((sum, p) => sum + (p?.cpuTicks ?? 0), 0) / CLOCK_TICKS_PER_SECOND;
}

export async function measure(target: LoadTarget, round: number, others: readonly ProcStat[]): Promise<Measurement> {
  const { server, workload, settings } = target;
  const [cpuBefore, othersBefore] = await Promise.all([treeCpuSeconds(server.launched.pid), othersCpuSeconds(others)]);
  const sampler = sampleRss(server.launched.pid);
  const t0 = performance.now();
  let peakRssBytes = 0;
  let result: WrkResult;
  try {
    result = await load(target, settings.seconds);
  } finally {
    peakRssBytes = await sampler.stop();
  }
  const wallSeconds = (performance.now() - t0) / 1000;
  const [cpuAfter, othersAfter] = await Promise.all([treeCpuSeconds(server.launched.pid), othersCpuSeconds(others)]);
  await settle(server);
  return {
    round,
    workload: workload.id,
    server: server.spec.id,
    requests: result.requests,
    seconds: result.seconds,
    requestsPerSecond: result.requestsPerSecond,
    p50Ms: result.p50Ms,
    p90Ms: result.p90Ms,
    p99Ms: result.p99Ms,
    maxMs: result.maxMs,
    httpErrors: result.httpErrors,
    socketErrors: socketErrorsOf(result),
    peakRssBytes,
    cpuMicrosPerRequest: result.requests > 0 ? ((cpuAfter - cpuBefore) * 1e6) / result.requests : null,
    idleServersCpuPercent: Math.round(((othersAfter - othersBefore) / wallSeconds) * 1000) / 10,
  };
}
