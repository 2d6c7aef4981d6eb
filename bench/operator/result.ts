import type { LatencySummary } from "./percentiles.ts";

// Plain JSON-serialisable data: bench/run.ts may write it to a file next to the table.

export type BenchMode = "quick" | "full";

/** CPU time each process used over a phase: unlike wall time, little disturbed by a busy machine. */
export interface CpuSeconds {
  readonly operator: number;
  readonly controllerManager: number;
  readonly apiserver: number;
}

/** One creation phase: N objects created by the bench's client, each until its controller answered. */
export interface PhaseResult {
  readonly objects: number;
  /** From the first create request to the last object done. */
  readonly elapsedS: number;
  readonly throughputPerS: number;
  /** Per object: the answer seen on a watch minus the start of its create request. */
  readonly latency: LatencySummary;
  /** How long the client took to send all creates: far below elapsedS means the client was not the bottleneck. */
  readonly createsElapsedS: number;
  readonly clientConcurrency: number;
  /** From just before the first create to the last object done. */
  readonly cpuSeconds: CpuSeconds;
}

/** What bounds each controller's pace, read from the processes themselves. */
export interface ControllerLimits {
  readonly operator: {
    /** `--concurrency`: groups reconciled in parallel. */
    readonly concurrency: number;
    /** The operator's client has no QPS limiter of its own. */
    readonly clientQps: "unlimited";
    readonly resyncPeriodS: number;
  };
  readonly controllerManager: {
    readonly kubeApiQps: string;
    readonly kubeApiBurst: string;
    readonly concurrentDeploymentSyncs: string;
    /** "defaults" when the harness passed none of these flags (as in a cluster left at defaults). */
    readonly source: "defaults" | "flags";
  };
}

export interface SteadyStateResult {
  readonly windowS: number;
  /** Reconciles in the window: proof that the operator was working, not asleep. */
  readonly reconciles: number;
  /** The operator's write requests (post, put, patch, delete) in the window, Lease renewals excluded. */
  readonly writes: number;
  readonly writesPerMinute: number;
  /** Non-zero write counts by "verb resource code", to say which write it was. */
  readonly writesByRequest: Readonly<Record<string, number>>;
  /** Leader election renewing its Lease: expected, one per retry period. */
  readonly leaseWritesPerMinute: number;
  /**
   * The apiserver's own count (apiserver_request_total) of writes to ProcessGroups, Deployments
   * (not their status, which kube-controller-manager writes), Services and Ingresses, by anyone.
   * An upper bound on the operator's writes to them, from the other side of the wire.
   */
  readonly apiserverWrites: number;
  /** Seconds the operator took to stop writing after every group was Ready. */
  readonly settleS: number;
  /** The operator's CPU seconds per minute of the window (resync reconciles included). */
  readonly operatorCpuSecondsPerMinute: number;
}

export interface MemoryResult {
  /** VmRSS once every group was converged and Ready, before the steady window. */
  readonly rssAtConvergenceMb: number;
  readonly rssSteadyMaxMb: number;
  /** VmHWM at the end: the peak over the whole run, creation bursts included. */
  readonly peakRssMb: number;
}

export interface Goal {
  readonly name: string;
  /** The goal as the issue states it, e.g. "<= 1.5x". */
  readonly target: string;
  readonly actual: number;
  readonly unit: string;
  readonly met: boolean;
  readonly note?: string;
}

export interface OperatorBenchResult {
  readonly benchmark: "operator";
  readonly mode: BenchMode;
  readonly n: number;
  readonly startedAt: string;
  readonly durationS: number;
  readonly machine: { readonly cpus: number; readonly loadAverage1mAtStart: number };
  readonly versions: {
    readonly kubernetes: string;
    readonly etcd: string;
    readonly kwok: string;
    readonly node: string;
    readonly operator: string;
    readonly clientNode: string;
  };
  readonly limits: ControllerLimits;
  /** Create -> Deployment exists and status.observedGeneration == metadata.generation. */
  readonly processGroups: PhaseResult;
  /** Same apiserver, kube-controller-manager: create Deployment -> its ReplicaSet exists. */
  readonly deployments: PhaseResult;
  /** Ours over kube-controller-manager's, same percentile. */
  readonly ratio: { readonly p50: number; readonly p99: number; readonly throughput: number };
  /** Every group Ready (pods scheduled on kwok nodes) before the steady window; false if it timed out. */
  readonly allReady: boolean;
  readonly steadyState: SteadyStateResult;
  readonly memory: MemoryResult;
  readonly goals: readonly Goal[];
}
