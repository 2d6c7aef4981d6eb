import type { KubeConfig } from "@kubernetes/client-node";
import { setTimeout as sleep } from "node:timers/promises";
import { fetchApiserverMetrics, writesToOurKinds } from "./apiserver-writes.ts";
import { readOperatorCounters, writesBetween } from "./operator-counters.ts";
import { cpuSeconds } from "./process-cpu.ts";
import type { SteadyStateResult } from "./result.ts";
import type { Progress } from "./teardown.ts";

export interface SteadyStatePhase {
  readonly kc: KubeConfig;
  readonly operatorPort: number;
  readonly operatorPid: number;
  readonly windowMs: number;
  readonly progress: Progress;
}

// The operator has settled once its write count (Lease renewals aside) stayed put this long.
const quietMs = 10_000;
const settleTimeoutMs = 180_000;
const pollMs = 1_000;
const progressEveryMs = 10_000;

/** Waits until the operator stops writing, bounded; returns the seconds it took. */
async function settle(port: number, progress: Progress): Promise<number> {
  const started = performance.now();
  let last = await readOperatorCounters(port);
  let quietSince = performance.now();
  let lastProgress = performance.now();
  while (performance.now() - quietSince < quietMs) {
    if (performance.now() - started > settleTimeoutMs) {
      progress(`the operator was still writing after ${settleTimeoutMs / 1000} s; measuring anyway`);
      break;
    }
    await sleep(pollMs);
    const now = await readOperatorCounters(port);
    if (writesBetween(last, now).writes > 0) quietSince = performance.now();
    last = now;
    if (performance.now() - lastProgress >= progressEveryMs) {
      progress(`waiting for the operator to stop writing (${Math.round((performance.now() - started) / 1000)} s)`);
      lastProgress = performance.now();
    }
  }
  return (performance.now() - started - quietMs) / 1000;
}

/**
 * With nothing changing, counts the operator's writes over a window: from its own /metrics
 * (every request its clients send, by verb and resource), cross-checked by the apiserver's
 * count of writes to the kinds only the operator writes.
 */
export async function measureSteadyState(phase: SteadyStatePhase): Promise<SteadyStateResult & { startedAt: number; endedAt: number }> {
  const { operatorPort: port, progress } = phase;
  const settleS = await settle(port, progress);
  progress(`operator settled (${Math.max(0, settleS).toFixed(1)} s); counting writes for ${phase.windowMs / 1000} s`);

  const startedAt = performance.now();
  const [before, apiserverBefore, cpuBefore] = await Promise.all([readOperatorCounters(port), fetchApiserverMetrics(phase.kc), cpuSeconds(phase.operatorPid)]);
  while (performance.now() - startedAt < phase.windowMs) {
    await sleep(Math.min(progressEveryMs, phase.windowMs - (performance.now() - startedAt)));
    const sofar = writesBetween(before, await readOperatorCounters(port));
    progress(`steady state: ${Math.round((performance.now() - startedAt) / 1000)}/${phase.windowMs / 1000} s, ${sofar.writes} writes, ${sofar.reconciles} reconciles so far`);
  }
  const [after, apiserverAfter, cpuAfter] = await Promise.all([readOperatorCounters(port), fetchApiserverMetrics(phase.kc), cpuSeconds(phase.operatorPid)]);
  const endedAt = performance.now();

  const minutes = (endedAt - startedAt) / 60_000;
  const delta = writesBetween(before, after);
  return {
    windowS: (endedAt - startedAt) / 1000,
    reconciles: delta.reconciles,
    writes: delta.writes,
    writesPerMinute: delta.writes / minutes,
    writesByRequest: delta.byRequest,
    leaseWritesPerMinute: delta.leaseWrites / minutes,
    apiserverWrites: writesToOurKinds(apiserverAfter) - writesToOurKinds(apiserverBefore),
    settleS: Math.max(0, settleS),
    operatorCpuSecondsPerMinute: (cpuAfter - cpuBefore) / minutes,
    startedAt,
    endedAt,
  };
}
