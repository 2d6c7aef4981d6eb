// How many processes an elastic group wants: Apache's spare-worker rule (keep idle threads
// between a minimum and a maximum, spawn when none is idle) measured across pods, with the
// HPA's way of not flapping (scale up at once, scale down to the highest recommendation of
// a stabilization window). Pure: samples and the clock come in, a number and why go out.

/** What one ready pod's /metrics said, or that it could not be read. */
export type PodSample = { readonly kind: "known"; readonly busyThreads: number; readonly threads: number; readonly queueLength: number } | { readonly kind: "unknown" };

export interface ElasticLimits {
  readonly minProcesses: number;
  readonly maxProcesses: number;
  readonly targetBusyPercent: number;
  readonly scaleDownStabilizationSeconds: number;
}

/** One past recommendation (before clamping to the limits), kept for the stabilization window. */
export interface Recommendation {
  readonly at: number;
  readonly processes: number;
}

export const SCALING_REASONS = ["QueueNotEmpty", "AboveTarget", "BelowTarget", "WithinTarget", "Stabilizing", "NoMetrics", "OutsideLimits"] as const;
export type ScalingReason = (typeof SCALING_REASONS)[number];

export interface ScalingInput {
  readonly limits: ElasticLimits;
  /** One per ready pod of the group. */
  readonly samples: readonly PodSample[];
  /** The Deployment's replicas now. */
  readonly current: number;
  readonly history: readonly Recommendation[];
  readonly now: number;
}

export interface ScalingDecision {
  readonly desired: number;
  readonly reason: ScalingReason;
  readonly message: string;
  /** The history to pass next time (this recommendation added, the ones past the window dropped). */
  readonly history: readonly Recommendation[];
  /** The limit that cut the recommendation, if one did. */
  readonly limitedBy?: "minProcesses" | "maxProcesses";
}

interface Load {
  readonly busy: number;
  readonly threads: number;
  readonly queue: number;
  readonly known: number;
  readonly unknown: number;
}

function loadOf(samples: readonly PodSample[]): Load {
  let busy = 0;
  let threads = 0;
  let queue = 0;
  let known = 0;
  for (const s of samples) {
    if (s.kind !== "known") continue;
    known++;
    busy += s.busyThreads;
    threads += s.threads;
    queue += s.queueLength;
  }
  return { busy, threads, queue, known, unknown: samples.length - known };
}

/** Processes whose threads hold `demand` busy threads at the target ratio. */
function processesFor(demand: number, threadsPerProcess: number, targetBusyPercent: number): number {
  if (demand <= 0) return 0;
  // Whole threads per process at the target: 70% of 15 threads is 10.5 busy threads.
  return Math.ceil((demand * 100) / (threadsPerProcess * targetBusyPercent) - 1e-9);
}

function percent(busy: number, threads: number): string {
  return threads === 0 ? "0%" : `${Math.round((busy * 100) / threads)}%`;
}

/** The raw recommendation from what the pods said, and the word for why. */
function recommend(input: ScalingInput, load: Load): { processes: number; reason: ScalingReason; message: string } {
  const { limits, current } = input;
  const { busy, threads, queue, known, unknown } = load;
  if (known === 0) {
    const message = input.samples.length === 0 ? "no ready process to read metrics from; keeping the current processes" : `none of the ${unknown} ready processes answered /metrics; keeping the current processes`;
    return { processes: current, reason: "NoMetrics", message };
  }
  const perProcess = threads / known;
  const unread = unknown > 0 ? ` (${unknown} process${unknown === 1 ? "" : "es"} not read, counted as idle for growing and as fully busy for shrinking)` : "";
  const measured = `${busy} of ${threads} threads busy (${percent(busy, threads)}, target ${limits.targetBusyPercent}%), ${queue} request${queue === 1 ? "" : "s"} queued${unread}`;
  // Requests waiting for a thread need threads as much as running ones do.
  const grow = processesFor(busy + queue, perProcess, limits.targetBusyPercent);
  // A process that did not answer may be the busiest: it never counts toward shrinking.
  const shrink = processesFor(busy + queue + unknown * perProcess, perProcess, limits.targetBusyPercent);
  if (queue > 0) {
    // No spare thread anywhere (Apache spawns a child when idle threads fall under MinSpareThreads).
    // Processes asked for but not ready yet are that spare: the queue alone does not add more.
    return { processes: Math.max(grow, input.samples.length + 1, current), reason: "QueueNotEmpty", message: measured };
  }
  if (grow > current) return { processes: grow, reason: "AboveTarget", message: measured };
  if (shrink < current) return { processes: shrink, reason: "BelowTarget", message: measured };
  return { processes: current, reason: "WithinTarget", message: measured };
}

export function decideScale(input: ScalingInput): ScalingDecision {
  const { limits, current, now } = input;
  const raw = recommend(input, loadOf(input.samples));
  const floored = Math.max(raw.processes, limits.minProcesses);
  const windowMs = limits.scaleDownStabilizationSeconds * 1000;
  // A history that starts empty (a new group, a new leader) counts the current processes as
  // recommended now, so no scale-down comes before a full window has been watched.
  const seeded = input.history.length === 0 ? [{ at: now, processes: current }] : input.history;
  const history = [...seeded.filter((r) => now - r.at < windowMs), { at: now, processes: floored }];
  // Scale down to the highest recommendation of the window; scale up without waiting.
  const stabilized = floored >= current ? floored : Math.min(current, Math.max(...history.map((r) => r.processes)));
  const desired = Math.min(stabilized, limits.maxProcesses);
  const limitedBy = stabilized > limits.maxProcesses ? "maxProcesses" : raw.processes < limits.minProcesses && desired === limits.minProcesses ? "minProcesses" : undefined;
  const held = stabilized > floored;
  const outside = current < limits.minProcesses || current > limits.maxProcesses;
  const reason: ScalingReason = outside ? "OutsideLimits" : held ? "Stabilizing" : raw.reason;
  const message = explain(raw, { desired, limitedBy, held, current }, limits);
  return { desired, reason, message, history, ...(limitedBy ? { limitedBy } : {}) };
}

function explain(
  raw: { processes: number; message: string },
  outcome: { desired: number; limitedBy: "minProcesses" | "maxProcesses" | undefined; held: boolean; current: number },
  limits: ElasticLimits,
): string {
  const { desired, limitedBy, held, current } = outcome;
  const parts = [raw.message];
  if (held) parts.push(`${Math.max(raw.processes, limits.minProcesses)} would do, but a scale-down waits out the ${limits.scaleDownStabilizationSeconds}s stabilization window`);
  if (limitedBy === "maxProcesses") parts.push(`limited to maxProcesses ${limits.maxProcesses}`);
  if (limitedBy === "minProcesses") parts.push(`kept at the minimum ${limits.minProcesses} (spec.processes)`);
  const verdict = desired === current ? `keeping ${current} process${current === 1 ? "" : "es"}` : `${current} -> ${desired} processes`;
  return `${verdict}: ${parts.join("; ")}`;
}
