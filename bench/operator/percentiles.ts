/** The latency distribution the bench reports for one phase, in milliseconds. */
export interface LatencySummary {
  readonly count: number;
  readonly p50Ms: number;
  readonly p90Ms: number;
  readonly p99Ms: number;
  readonly maxMs: number;
}

/**
 * The nearest-rank percentile: the smallest value with at least p% of the values at or below
 * it. It is always one of the measured values (no interpolation between two objects' times),
 * so "p99 of 100 objects" is the 99th fastest object.
 */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) throw new Error("percentile of no values");
  if (!(p > 0 && p <= 100)) throw new Error(`percentile must be in (0, 100], got ${p}`);
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[rank - 1] ?? Number.NaN;
}

export function summarize(valuesMs: readonly number[]): LatencySummary {
  return {
    count: valuesMs.length,
    p50Ms: percentile(valuesMs, 50),
    p90Ms: percentile(valuesMs, 90),
    p99Ms: percentile(valuesMs, 99),
    maxMs: percentile(valuesMs, 100),
  };
}
