// Medians over rounds, ratios to the baseline, and the order servers take turns in. Pure.
import type { Measurement, Summary, WorkloadId } from "./types.ts";

export function median(values: readonly number[]): number {
  if (values.length === 0) throw new RangeError("median of no values");
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

/** a / b, or null when either is missing or b is not positive. */
export function ratio(a: number | null | undefined, b: number | null | undefined): number | null {
  if (a === null || a === undefined || b === null || b === undefined || !(b > 0)) return null;
  return a / b;
}

/**
 * The order servers are measured in during `round` (0-based): rotated by one each round and
 * reversed every other one, so that no server always follows the same neighbour or always goes
 * first, and slow drift in the machine's load falls on all alike.
 */
export function orderForRound<T>(items: readonly T[], round: number): T[] {
  if (items.length === 0) return [];
  const shift = round % items.length;
  const rotated = [...items.slice(shift), ...items.slice(0, shift)];
  return round % 2 === 1 ? rotated.reverse() : rotated;
}

export const BASELINE_SERVER = "plain";

/** One summary per (server, workload) that has measurements, with ratios to plain node:http. */
export function summarise(measurements: readonly Measurement[]): Summary[] {
  const groups = new Map<string, Measurement[]>();
  for (const m of measurements) {
    const key = `${m.server}\u0000${m.workload}`;
    const group = groups.get(key);
    if (group) group.push(m);
    else groups.set(key, [m]);
  }
  const medians = [...groups.values()].map((group) => {
    const first = group[0]!;
    const cpu = group.map((m) => m.cpuMicrosPerRequest).filter((v): v is number => v !== null);
    const byRound = [...group].sort((a, b) => a.round - b.round);
    return {
      server: first.server,
      workload: first.workload,
      rounds: group.length,
      requestsPerSecond: median(group.map((m) => m.requestsPerSecond)),
      requestsPerSecondByRound: byRound.map((m) => m.requestsPerSecond),
      p50Ms: median(group.map((m) => m.p50Ms)),
      p99Ms: median(group.map((m) => m.p99Ms)),
      httpErrors: group.reduce((sum, m) => sum + m.httpErrors, 0),
      socketErrors: group.reduce((sum, m) => sum + m.socketErrors, 0),
      peakRssBytes: Math.max(...group.map((m) => m.peakRssBytes)),
      cpuMicrosPerRequest: cpu.length === 0 ? null : median(cpu),
    };
  });
  const baseline = new Map<WorkloadId, number>(medians.filter((s) => s.server === BASELINE_SERVER).map((s) => [s.workload, s.requestsPerSecond]));
  return medians.map((s) => ({ ...s, ratioToPlain: ratio(s.requestsPerSecond, baseline.get(s.workload)) }));
}

export function findSummary(summaries: readonly Summary[], server: string, workload: WorkloadId): Summary | undefined {
  return summaries.find((s) => s.server === server && s.workload === workload);
}

/** The highest peak RSS a server reached over all its measurements. */
export function peakRssOf(summaries: readonly Summary[], server: string): number | null {
  const peaks = summaries.filter((s) => s.server === server).map((s) => s.peakRssBytes);
  return peaks.length === 0 ? null : Math.max(...peaks);
}
