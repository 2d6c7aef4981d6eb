/** The upper bounds (seconds) of the runtime's latency histograms: request durations and queue waits. */
export const LATENCY_BUCKETS: readonly number[] = [0.001, 0.005, 0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

/** The index of the first bucket `seconds` falls in; LATENCY_BUCKETS.length for "+Inf". */
export function bucketOf(seconds: number, bounds: readonly number[] = LATENCY_BUCKETS): number {
  let i = 0;
  while (i < bounds.length && seconds > bounds[i]!) i++;
  return i;
}

/** Counts per bucket (not cumulative, the last one for "+Inf"), with their sum and total. */
export interface BucketCounts {
  readonly counts: number[];
  sum: number;
  count: number;
}

export function emptyBucketCounts(bounds: readonly number[] = LATENCY_BUCKETS): BucketCounts {
  return { counts: new Array<number>(bounds.length + 1).fill(0), sum: 0, count: 0 };
}

export function addObservation(into: BucketCounts, seconds: number, bounds: readonly number[] = LATENCY_BUCKETS): void {
  into.counts[bucketOf(seconds, bounds)]! += 1;
  into.sum += seconds;
  into.count += 1;
}
