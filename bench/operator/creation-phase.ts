import { forEachBounded } from "./bounded.ts";
import { ConvergenceTracker, throughputPerSecond } from "./convergence-tracker.ts";
import type { EventWatch } from "./event-watch.ts";
import { summarize } from "./percentiles.ts";
import type { PhaseResult } from "./result.ts";
import type { Progress } from "./teardown.ts";
import { objectName } from "./workloads.ts";

export interface CreationPhase<Milestone extends string> {
  /** "ProcessGroups converged", for progress lines. */
  readonly label: string;
  readonly n: number;
  readonly concurrency: number;
  readonly timeoutMs: number;
  readonly progress: Progress;
  readonly milestones: readonly Milestone[];
  /** Starts the watches that mark milestones; they must be established when this resolves. */
  readonly watch: (tracker: ConvergenceTracker<Milestone>, fail: (error: unknown) => void) => Promise<EventWatch[]>;
  readonly create: (name: string) => Promise<void>;
}

const progressEveryMs = 5_000;

/**
 * Creates N objects with a bounded number of requests in flight, each timed from the start of
 * its create request to the last of its milestones as the watches saw them.
 */
export async function measureCreation<Milestone extends string>(phase: CreationPhase<Milestone>): Promise<Omit<PhaseResult, "cpuSeconds">> {
  const { n, progress } = phase;
  const tracker = new ConvergenceTracker<Milestone>(phase.milestones);
  let fail: (error: unknown) => void = () => {};
  const failed = new Promise<never>((_, reject) => (fail = reject));
  failed.catch(() => {});
  const watches = await phase.watch(tracker, (error) => fail(error));
  const ticker = setInterval(() => progress(`${tracker.done}/${n} ${phase.label} (${tracker.started} created)`), progressEveryMs);
  let timer: NodeJS.Timeout | undefined;
  try {
    const createsStarted = performance.now();
    const creates = forEachBounded(
      Array.from({ length: n }, (_, i) => objectName(i)),
      phase.concurrency,
      async (name) => {
        tracker.start(name, performance.now());
        await phase.create(name);
      },
    );
    await Promise.race([creates, failed]);
    const createsElapsedS = (performance.now() - createsStarted) / 1000;
    const timedOut = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new Error(`only ${tracker.done}/${n} ${phase.label} after ${phase.timeoutMs / 1000} s; e.g. ${tracker.pending().join("; ")}`)),
        phase.timeoutMs,
      );
    });
    await Promise.race([tracker.whenDone(n), failed, timedOut]);
    const span = tracker.span();
    if (span === undefined) throw new Error("no object converged");
    return {
      objects: n,
      elapsedS: (span.last - span.first) / 1000,
      throughputPerS: throughputPerSecond(n, span),
      latency: summarize(tracker.latencies()),
      createsElapsedS,
      clientConcurrency: phase.concurrency,
    };
  } finally {
    clearTimeout(timer);
    clearInterval(ticker);
    for (const watch of watches) watch.stop();
  }
}
