// The peak RSS of a process tree while a load runs: sampled, since no counter keeps a tree's peak.
import { snapshotTree } from "./process-tree.ts";

const SAMPLE_EVERY_MS = 200;

export interface RssSampler {
  /** Stops sampling; the highest sum of RSS seen, including one last sample. */
  stop(): Promise<number>;
}

export function sampleRss(root: number): RssSampler {
  let peak = 0;
  let inFlight: Promise<void> | undefined;
  const sample = (): Promise<void> => {
    // A slow sample is never queued behind: the next tick simply skips.
    inFlight ??= snapshotTree(root)
      .then((tree) => {
        peak = Math.max(peak, tree.rssBytes);
      })
      .finally(() => {
        inFlight = undefined;
      });
    return inFlight;
  };
  void sample();
  const timer = setInterval(() => void sample(), SAMPLE_EVERY_MS);
  return {
    async stop() {
      clearInterval(timer);
      await inFlight;
      await sample();
      return peak;
    },
  };
}
