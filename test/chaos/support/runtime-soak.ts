import { chaosMode } from "./figures.ts";
import { startSteadyLoad, type LoadReport, type PathOutcome, type SteadyLoadOptions } from "./runtime-load.ts";
import { LONG_FAULT_SECONDS } from "./runtime-rollout.ts";
import { describeStatus, type ProcessStatus } from "./runtime-served.ts";

/**
 * The long form runs its faults in segments with the process brought to rest between them
 * (load stopped, every thread idle): a leak shows as growth from one rest to the next, while
 * RSS measured under load swings by hundreds of MB with what is in flight (a heap blown to its
 * limit, young generations sized to the load). The quick form is one segment.
 */
export const SEGMENTS = chaosMode() === "long" ? 4 : 1;

/** How long each long-form segment injects faults. */
export const SEGMENT_SECONDS = LONG_FAULT_SECONDS / SEGMENTS;

/** A group brought to rest: its watched processes, and the JS heap their main threads use. */
export interface Rest {
  readonly processes: readonly ProcessStatus[];
  /** The runtime's own objects (main threads run no app code), reported for reading, not bounded. */
  readonly mainHeapMb: number;
}

/**
 * How far RSS at the last rest may be above RSS at the first. A process of many isolates
 * climbs towards a plateau set by its busiest moments (the allocator keeps what a burst of
 * threads freed), so early rests keep rising a little; a leak of a few KB a request or a few
 * MB a replaced thread goes through this within the long form.
 */
const RSS_GROWTH_FACTOR = 1.5;

/** The most RSS a process may have at its last rest, given RSS at its first. */
export const rssBoundMb = (firstRestMb: number) => Math.round(firstRestMb * RSS_GROWTH_FACTOR);

export const describeRest = (rest: Rest) => `${rest.processes.map(describeStatus).join(" / ")}, main heap ${rest.mainHeapMb} MB`;

/**
 * What leaked between the warm-up and each later rest: threads that did not leave or did
 * not come back, descriptors left open, and in the long form RSS beyond RSS_GROWTH_FACTOR
 * of the first rest after faults.
 */
export function leaks(warm: Rest, rests: readonly Rest[]): string[] {
  const problems: string[] = [];
  rests.forEach((rest, n) => {
    rest.processes.forEach((status, i) => {
      const before = warm.processes[i]!;
      if (status.threads !== before.threads) problems.push(`rest ${n + 1}, process ${i}: ${status.threads} threads, ${before.threads} after warm-up`);
      if (status.openFiles > before.openFiles) problems.push(`rest ${n + 1}, process ${i}: ${status.openFiles} open files, ${before.openFiles} after warm-up`);
    });
  });
  const first = rests[0];
  const last = rests.at(-1);
  if (chaosMode() === "long" && first && last) {
    last.processes.forEach((status, i) => {
      const bound = rssBoundMb(first.processes[i]!.rssMb);
      if (status.rssMb > bound) problems.push(`process ${i}: ${status.rssMb} MB RSS at the last rest, over ${bound} (${RSS_GROWTH_FACTOR} x the first)`);
    });
  }
  return problems;
}

export interface Soaked {
  /** The load of every segment, added up. */
  readonly report: LoadReport;
  /** The group at rest after each segment. */
  readonly rests: readonly Rest[];
}

/**
 * Runs `segments` segments: each starts the well-behaved load, lets it settle in, runs
 * `inject(segment)`, stops the load, and then records `rest()`, which brings the group to
 * rest and measures it.
 */
export async function soak(load: SteadyLoadOptions, segments: number, inject: (segment: number) => Promise<void>, rest: () => Promise<Rest>): Promise<Soaked> {
  const reports: LoadReport[] = [];
  const rests: Rest[] = [];
  for (let segment = 0; segment < segments; segment++) {
    const running = startSteadyLoad(load);
    await running.completed(50);
    await inject(segment);
    await running.completed(50);
    reports.push(await running.stop());
    rests.push(await rest());
  }
  return { report: combined(reports), rests };
}

function combined(reports: readonly LoadReport[]): LoadReport {
  const byPath = new Map<string, PathOutcome>();
  const bodies: Record<string, number> = {};
  for (const report of reports) {
    for (const [path, outcome] of report.byPath) {
      const into = byPath.get(path) ?? { sent: 0, statuses: {}, errors: {} };
      into.sent += outcome.sent;
      for (const [status, n] of Object.entries(outcome.statuses)) into.statuses[Number(status)] = (into.statuses[Number(status)] ?? 0) + n;
      for (const [what, n] of Object.entries(outcome.errors)) into.errors[what] = (into.errors[what] ?? 0) + n;
      byPath.set(path, into);
    }
    for (const [body, n] of Object.entries(report.bodies)) bodies[body] = (bodies[body] ?? 0) + n;
  }
  const sum = (pick: (r: LoadReport) => number) => reports.reduce((total, r) => total + pick(r), 0);
  return {
    sent: sum((r) => r.sent),
    ok: sum((r) => r.ok),
    retried: sum((r) => r.retried),
    lost: sum((r) => r.lost),
    seconds: sum((r) => r.seconds),
    byPath,
    bodies,
    errorSamples: reports.flatMap((r) => r.errorSamples).slice(0, 20),
  };
}
