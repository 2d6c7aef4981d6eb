import { chaosMode } from "./figures.ts";
import { startSteadyLoad, type LoadReport, type PathOutcome, type SteadyLoadOptions } from "./runtime-load.ts";
import { LONG_FAULT_SECONDS } from "./runtime-rollout.ts";
import type { ProcessStatus } from "./runtime-served.ts";

/**
 * The long form runs its faults in segments with the process brought to rest between them
 * (load stopped, every thread idle): a leak shows as growth from one rest to the next, while
 * RSS measured under load swings by hundreds of MB with what is in flight (a heap blown to its
 * limit, young generations sized to the load). The quick form is one segment.
 */
export const SEGMENTS = chaosMode() === "long" ? 4 : 1;

/** How long each long-form segment injects faults. */
export const SEGMENT_SECONDS = LONG_FAULT_SECONDS / SEGMENTS;

/**
 * The most RSS at the last rest may exceed RSS at the first: 64 MB or a quarter, whichever is
 * more (allocators keep some of what a burst of threads freed; a leak of a few KB a request or
 * a MB a replaced thread exceeds it within a segment).
 */
export const rssBoundMb = (firstRestMb: number) => firstRestMb + Math.max(64, Math.round(firstRestMb / 4));

export interface Soaked {
  /** The load of every segment, added up. */
  readonly report: LoadReport;
  /** The watched processes' status at rest after each segment. */
  readonly rests: readonly (readonly ProcessStatus[])[];
}

/**
 * Runs `segments` segments: each starts the well-behaved load, lets it settle in, runs
 * `inject(segment)`, stops the load, and then records `rest()`, which brings the process to
 * rest and returns the statuses to compare.
 */
export async function soak(load: SteadyLoadOptions, segments: number, inject: (segment: number) => Promise<void>, rest: () => Promise<readonly ProcessStatus[]>): Promise<Soaked> {
  const reports: LoadReport[] = [];
  const rests: (readonly ProcessStatus[])[] = [];
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
