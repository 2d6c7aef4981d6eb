// The shapes the runtime bench passes around and writes to bench/results/<date>.json.

export type WorkloadId = "hello" | "cpu" | "io" | "bytes";

export interface Workload {
  readonly id: WorkloadId;
  readonly path: string;
  readonly label: string;
  /** Connections the load generator keeps open, one request in flight on each. */
  readonly connections: number;
  readonly description: string;
}

export type ServerKind = "plain" | "cluster" | "pm2" | "runtime" | "apache" | "thread-hop" | "reuse-port";

export interface ServerSpec {
  /** Stable key in the results: `runtime-2x15`, `cluster-2`, `plain`. */
  readonly id: string;
  readonly label: string;
  readonly kind: ServerKind;
  readonly processes: number;
  /** Threads per process that run requests; 1 for a single event loop. */
  readonly threads: number;
  /** Requests the server runs at once by design (processes x threads), or null: no cap (event loops). */
  readonly concurrencyCap: number | null;
  readonly workloads: readonly WorkloadId[];
  /** A yardstick from docs/performance.md, not a product: left out of goals. */
  readonly yardstick: boolean;
  /** Which form of the shared handler the runtime serves; null for the other servers. */
  readonly handler: RuntimeHandler | null;
  /** The runtime's spec.concurrency, when set; null for the other servers and the default 1. */
  readonly concurrency: number | null;
  /** The runtime forced to request dispatch (PROCESSGROUP_DISPATCH=request); null: its own choice. */
  readonly dispatch: "request" | null;
}

export type RuntimeHandler = "fetch" | "listener";

/** One run of the load generator against one server. */
export interface Measurement {
  readonly round: number;
  readonly workload: WorkloadId;
  readonly server: string;
  readonly requests: number;
  readonly seconds: number;
  readonly requestsPerSecond: number;
  readonly p50Ms: number;
  readonly p90Ms: number;
  readonly p99Ms: number;
  readonly maxMs: number;
  /** Responses with a status of 400 or more (wrk counts 2xx and 3xx as success). */
  readonly httpErrors: number;
  /** Connect, read and write errors and timeouts. */
  readonly socketErrors: number;
  /** Highest sum of RSS over the server's process tree while the load ran. */
  readonly peakRssBytes: number;
  /** CPU time (user + system) the server's process tree used per answered request. */
  readonly cpuMicrosPerRequest: number | null;
  /** CPU the other, idle servers used meanwhile, in percent of one core: should be ~0. */
  readonly idleServersCpuPercent: number;
}

/** Medians over rounds of one server on one workload. */
export interface Summary {
  readonly server: string;
  readonly workload: WorkloadId;
  readonly rounds: number;
  readonly requestsPerSecond: number;
  readonly requestsPerSecondByRound: readonly number[];
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly httpErrors: number;
  readonly socketErrors: number;
  readonly peakRssBytes: number;
  readonly cpuMicrosPerRequest: number | null;
  /** Median req/s over plain node:http's median on the same workload. */
  readonly ratioToPlain: number | null;
}

export interface GoalResult {
  readonly id: string;
  readonly description: string;
  /** The ratio the goal asks for: at least, or at most when `atMost`. */
  readonly target: number;
  /** A ceiling (memory) rather than a floor (throughput). */
  readonly atMost?: boolean;
  /** The ratio measured (for a goal over many pairs: the lowest), or null when it could not be measured. */
  readonly measured: number | null;
  /** null: not evaluated (a server it needs did not run). */
  readonly met: boolean | null;
  readonly detail: string;
}

export interface ToolStatus {
  readonly available: boolean;
  readonly version: string | null;
  readonly path: string | null;
  /** Why it is missing, and how to get it. */
  readonly reason: string | null;
}

export interface ServerOutcome {
  readonly spec: ServerSpec;
  readonly started: boolean;
  readonly startSeconds: number | null;
  /** Why it did not start or stopped early. */
  readonly problem: string | null;
}

export interface RuntimeSettings {
  readonly mode: "quick" | "full";
  readonly seconds: number;
  readonly warmupSeconds: number;
  readonly rounds: number;
  readonly wrkThreads: number;
  readonly wrkTimeoutSeconds: number;
  /** The runtime's handler forms measured; the first is the one the goals use (ids without a suffix). */
  readonly runtimeHandlers: readonly RuntimeHandler[];
}

export interface RuntimeBenchResult {
  /** Why nothing was measured (no load generator), or null. */
  readonly skipped: string | null;
  readonly settings: RuntimeSettings;
  readonly tools: Readonly<Record<string, ToolStatus>>;
  readonly workloads: readonly Workload[];
  readonly servers: readonly ServerOutcome[];
  readonly measurements: readonly Measurement[];
  readonly summaries: readonly Summary[];
  readonly goals: readonly GoalResult[];
  readonly notes: readonly string[];
  readonly seconds: number;
}
