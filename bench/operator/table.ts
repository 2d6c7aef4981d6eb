import type { Goal, OperatorBenchResult, PhaseResult } from "./result.ts";

export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms)) return "n/a";
  return ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(ms < 10_000 ? 2 : 1)} s`;
}

const rate = (perS: number): string => (Number.isFinite(perS) ? `${perS.toFixed(perS < 10 ? 2 : 1)}/s` : "n/a");
const ratio = (x: number): string => (Number.isFinite(x) ? `${x.toFixed(2)}x` : "n/a");
const mb = (x: number): string => `${x.toFixed(1)} MB`;

function goalCell(goal: Goal | undefined): string {
  if (goal === undefined) return "";
  return `${goal.target}: ${goal.met ? "**met**" : "**not met**"}${goal.note === undefined ? "" : ` (${goal.note})`}`;
}

function phaseRows(label: string, phase: PhaseResult): string[][] {
  const { latency } = phase;
  return [
    [`${label}: throughput`, `${rate(phase.throughputPerS)} (${phase.objects} in ${phase.elapsedS.toFixed(1)} s; the client sent all creates in ${phase.createsElapsedS.toFixed(1)} s, ${phase.clientConcurrency} in flight)`, ""],
    [`${label}: latency p50 / p90 / p99 / max`, [latency.p50Ms, latency.p90Ms, latency.p99Ms, latency.maxMs].map(formatDuration).join(" / "), ""],
    [`${label}: CPU seconds of operator / kube-controller-manager / kube-apiserver`, [phase.cpuSeconds.operator, phase.cpuSeconds.controllerManager, phase.cpuSeconds.apiserver].map((s) => s.toFixed(1)).join(" / "), ""],
  ];
}

/** The result as one markdown table: the numbers, the ratios, each goal met or not, and the conditions. */
export function operatorTable(result: OperatorBenchResult): string {
  const goal = (prefix: string) => result.goals.find((g) => g.name.startsWith(prefix));
  const { steadyState: steady, memory, limits, versions } = result;
  const kcm = limits.controllerManager;
  const writesByRequest = Object.entries(steady.writesByRequest)
    .map(([request, count]) => `${request}: ${count}`)
    .join(", ");
  const rows: string[][] = [
    ["N (mode)", `${result.n} (${result.mode}), ${result.durationS.toFixed(0)} s in all`, ""],
    ...phaseRows("ProcessGroup -> Deployment + observedGeneration (our operator)", result.processGroups),
    ...phaseRows("Deployment -> ReplicaSet (kube-controller-manager)", result.deployments),
    ["p50 latency, ours / kube-controller-manager's", ratio(result.ratio.p50), goalCell(goal("p50 latency"))],
    ["p99 latency, ours / kube-controller-manager's", ratio(result.ratio.p99), ""],
    ["throughput, ours / kube-controller-manager's", ratio(result.ratio.throughput), ""],
    [
      "writes per minute, nothing changing",
      `${steady.writesPerMinute.toFixed(1)} (${steady.writes} in ${steady.windowS.toFixed(0)} s, over ${steady.reconciles} reconciles${writesByRequest === "" ? "" : `; ${writesByRequest}`})`,
      goalCell(goal("writes per minute")),
    ],
    ["Lease renewals per minute (leader election)", steady.leaseWritesPerMinute.toFixed(1), ""],
    ["operator CPU seconds per minute, nothing changing (resync reconciles included)", steady.operatorCpuSecondsPerMinute.toFixed(2), ""],
    ["apiserver's count of writes to ProcessGroups, Deployments, Services, Ingresses in the window (cross-check)", String(steady.apiserverWrites), ""],
    ["operator RSS at N: converged / steady max / peak (VmHWM)", `${mb(memory.rssAtConvergenceMb)} / ${mb(memory.rssSteadyMaxMb)} / ${mb(memory.peakRssMb)}`, goalCell(goal("operator RSS"))],
    [
      "what paces each controller",
      `operator: --concurrency ${limits.operator.concurrency}, no client QPS limit, --resync-period ${limits.operator.resyncPeriodS} s; ` +
        `kube-controller-manager: --kube-api-qps ${kcm.kubeApiQps}, --kube-api-burst ${kcm.kubeApiBurst}, --concurrent-deployment-syncs ${kcm.concurrentDeploymentSyncs} (${kcm.source === "defaults" ? "its defaults, as a cluster left at defaults runs it" : "as the harness sets them"})`,
      "",
    ],
    ["every group Ready before the steady window", result.allReady ? "yes" : "no (timed out)", ""],
    [
      "versions",
      `Kubernetes ${versions.kubernetes}, etcd ${versions.etcd}, kwok ${versions.kwok}, Node ${versions.node}, operator ${versions.operator}, @kubernetes/client-node ${versions.clientNode}`,
      "",
    ],
    ["machine", `${result.machine.cpus} CPUs, 1-min load ${result.machine.loadAverage1mAtStart.toFixed(2)} at start`, ""],
  ];
  const escape = (cell: string): string => cell.replaceAll("|", "\\|");
  return [
    "| operator benchmark | value | goal |",
    "|---|---|---|",
    ...rows.map((row) => `| ${row.map(escape).join(" | ")} |`),
  ].join("\n");
}
