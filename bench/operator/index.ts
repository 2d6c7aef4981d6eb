import { availableParallelism, loadavg } from "node:os";
import { createNamespace, OPERATOR_SETTINGS, startBenchCluster } from "./bench-cluster.ts";
import { controllerManagerLimits } from "./controller-manager-limits.ts";
import { evaluateGoals } from "./goals.ts";
import { benchClients } from "./kube-clients.ts";
import { measureDeployments } from "./phase-deployments.ts";
import { measureProcessGroups } from "./phase-process-groups.ts";
import { measureSteadyState } from "./phase-steady-state.ts";
import { cpuBetween, cpuSnapshot } from "./process-cpu.ts";
import { megabytes, MemorySampler, readProcessMemory } from "./process-memory.ts";
import type { BenchMode, CpuSeconds, OperatorBenchResult, PhaseResult } from "./result.ts";
import { formatDuration } from "./table.ts";
import { stopOnInterrupt, Teardown } from "./teardown.ts";
import { collectVersions } from "./versions.ts";
import { waitDeploymentsAvailable, waitGroupsReady } from "./wait-ready.ts";

export type { OperatorBenchResult } from "./result.ts";
export { operatorTable } from "./table.ts";

const settings = {
  quick: { n: 100, steadyWindowMs: 60_000, phaseTimeoutMs: 5 * 60_000, readyTimeoutMs: 3 * 60_000 },
  full: { n: 1000, steadyWindowMs: 150_000, phaseTimeoutMs: 30 * 60_000, readyTimeoutMs: 20 * 60_000 },
} as const;

/** Creates in flight from the bench's client: enough that it is not the bottleneck, few enough not to flood 2 cores. */
const clientConcurrency = 16;

const summary = (phase: PhaseResult): string =>
  `${phase.throughputPerS.toFixed(1)}/s, p50 ${formatDuration(phase.latency.p50Ms)}, p99 ${formatDuration(phase.latency.p99Ms)}; CPU s: operator ${phase.cpuSeconds.operator.toFixed(1)}, kube-controller-manager ${phase.cpuSeconds.controllerManager.toFixed(1)}, kube-apiserver ${phase.cpuSeconds.apiserver.toFixed(1)}`;

/** Runs a phase and adds the CPU seconds the operator, kube-controller-manager and the apiserver spent on it. */
async function withCpu(pids: Record<keyof CpuSeconds, number>, measure: () => Promise<Omit<PhaseResult, "cpuSeconds">>): Promise<PhaseResult> {
  const before = await cpuSnapshot(pids);
  const result = await measure();
  const used = cpuBetween(before, await cpuSnapshot(pids));
  return { ...result, cpuSeconds: { operator: used["operator"] ?? 0, controllerManager: used["controllerManager"] ?? 0, apiserver: used["apiserver"] ?? 0 } };
}

function pidOf(state: { processes: readonly { name: string; pid: number }[] }, name: string): number {
  const record = state.processes.find((p) => p.name === name);
  if (record === undefined) throw new Error(`no ${name} in this control plane`);
  return record.pid;
}

/**
 * The operator benchmark on a `full` control plane of its own: N ProcessGroups through our
 * operator, then N plain Deployments through kube-controller-manager on the same apiserver
 * as the yardstick, then the operator's writes and memory with nothing changing.
 */
export async function benchOperator(opts: { mode: BenchMode; progress: (line: string) => void }): Promise<OperatorBenchResult> {
  const { mode, progress } = opts;
  const { n, steadyWindowMs, phaseTimeoutMs, readyTimeoutMs } = settings[mode];
  const started = performance.now();
  const startedAt = new Date().toISOString();
  const machine = { cpus: availableParallelism(), loadAverage1mAtStart: loadavg()[0] ?? 0 };
  const teardown = new Teardown(progress);
  const uninstall = stopOnInterrupt(teardown, progress);
  let succeeded = false;
  try {
    progress(`operator benchmark, ${mode}: N=${n}`);
    // Room for both phases' pods: N groups with one process each, N Deployments with one replica.
    const cluster = await startBenchCluster({ pods: 2 * n, teardown, progress, succeeded: () => succeeded });
    const memory = new MemorySampler(cluster.operatorPid);
    teardown.add("stop sampling memory", () => memory.stop());
    const clients = benchClients(cluster.kc);
    const [versions, controllerManager] = await Promise.all([collectVersions(cluster.kc), controllerManagerLimits(cluster.state)]);
    const groupsNamespace = await createNamespace(cluster.kc, "bench-processgroups");
    const deploymentsNamespace = await createNamespace(cluster.kc, "bench-deployments");
    const phase = { kc: cluster.kc, clients, n, concurrency: clientConcurrency, timeoutMs: phaseTimeoutMs, progress };

    progress(`1/4: creating ${n} ProcessGroups (${clientConcurrency} in flight)`);
    const pids = { operator: cluster.operatorPid, controllerManager: pidOf(cluster.state, "kube-controller-manager"), apiserver: pidOf(cluster.state, "kube-apiserver") };
    const processGroups = await withCpu(pids, () => measureProcessGroups({ ...phase, namespace: groupsNamespace }));
    progress(`1/4: ProcessGroups: ${summary(processGroups)}`);
    progress(`waiting for every group to be Ready (pods on kwok nodes), so the cluster is quiet again`);
    const allReady = await waitGroupsReady(clients, groupsNamespace, n, readyTimeoutMs, progress);

    progress(`2/4: creating ${n} plain Deployments for kube-controller-manager (${clientConcurrency} in flight)`);
    const deployments = await withCpu(pids, () => measureDeployments({ ...phase, namespace: deploymentsNamespace }));
    progress(`2/4: Deployments: ${summary(deployments)}`);
    await waitDeploymentsAvailable(clients, deploymentsNamespace, n, readyTimeoutMs, progress);

    progress(`3/4: steady state`);
    const steady = await measureSteadyState({ kc: cluster.kc, operatorPort: cluster.operatorPort, operatorPid: cluster.operatorPid, windowMs: steadyWindowMs, progress });
    const { startedAt: windowStart, endedAt: windowEnd, ...steadyState } = steady;

    progress(`4/4: memory`);
    const rssAtConvergenceKb = memory.maxRssKbBetween(windowStart - 2_000, windowStart + 2_000);
    const steadyMaxKb = memory.maxRssKbBetween(windowStart, windowEnd);
    const { hwmKb } = await readProcessMemory(cluster.operatorPid);
    const memoryResult = { rssAtConvergenceMb: megabytes(rssAtConvergenceKb), rssSteadyMaxMb: megabytes(steadyMaxKb), peakRssMb: megabytes(hwmKb) };

    const ratio = {
      p50: processGroups.latency.p50Ms / deployments.latency.p50Ms,
      p99: processGroups.latency.p99Ms / deployments.latency.p99Ms,
      throughput: processGroups.throughputPerS / deployments.throughputPerS,
    };
    const goals = evaluateGoals({
      n,
      ratioP50: ratio.p50,
      writesPerMinute: steadyState.writesPerMinute,
      rssMb: Math.max(memoryResult.rssAtConvergenceMb, memoryResult.rssSteadyMaxMb),
    });
    succeeded = true;
    return {
      benchmark: "operator",
      mode,
      n,
      startedAt,
      durationS: (performance.now() - started) / 1000,
      machine,
      versions,
      limits: { operator: { concurrency: OPERATOR_SETTINGS.concurrency, clientQps: "unlimited", resyncPeriodS: OPERATOR_SETTINGS.resyncPeriodS }, controllerManager },
      processGroups,
      deployments,
      ratio,
      allReady,
      steadyState,
      memory: memoryResult,
      goals,
    };
  } finally {
    uninstall();
    await teardown.run();
  }
}
