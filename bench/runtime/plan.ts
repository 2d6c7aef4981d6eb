// What a run measures: the servers, the workloads and how long, by mode. Pure, so the CLI's
// choices can be checked without starting anything.
import type { RuntimeHandler, RuntimeSettings, ServerSpec, WorkloadId } from "./types.ts";
import { WORKLOADS } from "./workloads.ts";

export type Mode = "quick" | "full";

export interface PlanOptions {
  readonly mode: Mode;
  readonly seconds?: number | undefined;
  readonly rounds?: number | undefined;
  /** Also measure the yardsticks of docs/performance.md (bare thread hop, reusePort threads). */
  readonly yardsticks?: boolean | undefined;
  /** Only these server ids (plain always stays: every ratio is to it). */
  readonly only?: readonly string[] | undefined;
  /** The runtime's handler forms to measure, the main one first (default: the listener only). */
  readonly runtimeHandlers?: readonly RuntimeHandler[] | undefined;
}

export interface RuntimePlan {
  readonly settings: RuntimeSettings;
  readonly servers: readonly ServerSpec[];
}

/** The process count of node:cluster and PM2, and of the runtime's multi-process shapes. */
export const PEER_PROCESSES = 2;

const ALL_WORKLOADS: readonly WorkloadId[] = WORKLOADS.map((w) => w.id);

/** processes x threads of the runtime; 1x2 is the "2 threads" of the CPU goal. */
const RUNTIME_SHAPES: readonly (readonly [number, number])[] = [
  [1, 1],
  [1, 2],
  [1, 15],
  [2, 1],
  [2, 2],
  [2, 15],
];

/** mod_wsgi shapes: quick keeps the two the goals and the users' defaults (threads=15) need. */
const APACHE_SHAPES: Readonly<Record<Mode, readonly (readonly [number, number])[]>> = {
  quick: [
    [1, 15],
    [2, 15],
  ],
  full: RUNTIME_SHAPES,
};

const PEER_COUNTS: Readonly<Record<Mode, readonly number[]>> = { quick: [PEER_PROCESSES], full: [1, PEER_PROCESSES] };

const TIMING: Readonly<Record<Mode, { seconds: number; warmupSeconds: number; rounds: number }>> = {
  quick: { seconds: 2, warmupSeconds: 1, rounds: 3 },
  full: { seconds: 4, warmupSeconds: 3, rounds: 5 },
};

function spec(kind: ServerSpec["kind"], id: string, label: string, processes: number, threads: number, extra: Partial<ServerSpec> = {}): ServerSpec {
  return { id, label, kind, processes, threads, concurrencyCap: null, workloads: ALL_WORKLOADS, yardstick: false, handler: null, concurrency: null, dispatch: null, ...extra };
}

export const DEFAULT_RUNTIME_HANDLER: RuntimeHandler = "listener";

export function serverSpecs(mode: Mode, yardsticks: boolean, handlers: readonly RuntimeHandler[] = [DEFAULT_RUNTIME_HANDLER]): ServerSpec[] {
  const servers: ServerSpec[] = [spec("plain", "plain", "node:http", 1, 1)];
  for (const n of PEER_COUNTS[mode]) servers.push(spec("cluster", `cluster-${n}`, `node:cluster ×${n}`, n, 1));
  for (const n of PEER_COUNTS[mode]) servers.push(spec("pm2", `pm2-${n}`, `PM2 cluster ×${n}`, n, 1));
  for (const [index, handler] of handlers.entries()) {
    // The main form keeps the plain ids the goals name; another form is measured beside it.
    const suffix = index === 0 ? "" : `-${handler}`;
    for (const [p, t] of RUNTIME_SHAPES) {
      servers.push(spec("runtime", `runtime-${p}x${t}${suffix}`, `runtime ${p}×${t}${index === 0 ? "" : ` (${handler})`}`, p, t, { concurrencyCap: p * t, handler }));
    }
    if (index > 0) continue;
    // An async app's setting (the 10 ms I/O goal), and mod_wsgi's per-request queue kept by hand.
    servers.push(spec("runtime", "runtime-1x2-c64", "runtime 1×2, concurrency 64", 1, 2, { concurrencyCap: 128, handler, concurrency: 64, workloads: ["hello", "io"] }));
    for (const t of [2, 15]) servers.push(spec("runtime", `runtime-1x${t}-request`, `runtime 1×${t}, request dispatch`, 1, t, { concurrencyCap: t, handler, dispatch: "request", workloads: ["hello", "cpu"] }));
  }
  for (const [p, t] of APACHE_SHAPES[mode]) servers.push(spec("apache", `apache-${p}x${t}`, `mod_wsgi ${p}×${t}`, p, t, { concurrencyCap: p * t }));
  if (yardsticks) {
    // They answer hello world only, whatever the path.
    servers.push(spec("thread-hop", "thread-hop", "bare thread hop", 1, 1, { workloads: ["hello"], yardstick: true }));
    for (const t of [2, 15]) servers.push(spec("reuse-port", `reuse-port-${t}`, `reusePort ×${t} threads`, 1, t, { workloads: ["hello"], yardstick: true }));
  }
  return servers;
}

/** Seconds a plan should take: loads, warm-ups, and what starting and settling servers cost. */
export function estimatedSeconds(plan: RuntimePlan): number {
  const { seconds, warmupSeconds, rounds } = plan.settings;
  const loads = plan.servers.reduce((sum, s) => sum + s.workloads.length, 0);
  return loads * (rounds * (seconds + 0.2) + warmupSeconds + 0.2) + plan.servers.length * 3;
}

export function runtimePlan(options: PlanOptions): RuntimePlan {
  const timing = TIMING[options.mode];
  const handlers = options.runtimeHandlers ?? [DEFAULT_RUNTIME_HANDLER];
  if (handlers.length === 0 || new Set(handlers).size !== handlers.length) throw new RangeError("runtime handler forms must be distinct and at least one");
  const all = serverSpecs(options.mode, options.yardsticks === true, handlers);
  const only = options.only;
  if (only !== undefined) {
    const unknown = only.filter((id) => !all.some((s) => s.id === id));
    if (unknown.length > 0) throw new RangeError(`unknown server ${unknown.join(", ")}; the ${options.mode} servers are ${all.map((s) => s.id).join(", ")}`);
  }
  return {
    settings: {
      mode: options.mode,
      seconds: options.seconds ?? timing.seconds,
      warmupSeconds: timing.warmupSeconds,
      rounds: options.rounds ?? timing.rounds,
      wrkThreads: 1,
      wrkTimeoutSeconds: 10,
      runtimeHandlers: handlers,
    },
    servers: only === undefined ? all : all.filter((s) => s.id === "plain" || only.includes(s.id)),
  };
}
