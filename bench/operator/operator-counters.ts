import { WRITE_VERBS } from "../../operator/src/observability/metrics.ts";
import { parsePrometheusText, sumOf, type Sample } from "./prometheus-text.ts";

/** What the operator's /metrics says so far: reconciles, and write requests by "verb resource code". */
export interface OperatorCounters {
  readonly reconciles: number;
  readonly writes: Readonly<Record<string, number>>;
}

export function countersFrom(samples: readonly Sample[]): OperatorCounters {
  const writes: Record<string, number> = {};
  for (const s of samples) {
    if (s.name !== "processgroup_operator_api_requests_total" || !WRITE_VERBS.has(s.labels["verb"] ?? "")) continue;
    const request = `${s.labels["verb"]} ${s.labels["resource"]} ${s.labels["code"]}`;
    writes[request] = (writes[request] ?? 0) + s.value;
  }
  return { reconciles: sumOf(samples, "processgroup_operator_reconciles_total"), writes };
}

export async function readOperatorCounters(port: number): Promise<OperatorCounters> {
  const response = await fetch(`http://127.0.0.1:${port}/metrics`);
  if (!response.ok) throw new Error(`operator /metrics answered ${response.status}`);
  return countersFrom(parsePrometheusText(await response.text()));
}

/** Leader election's Lease renewals: writes an idle leader must make, counted apart. */
const isLease = (request: string): boolean => request.split(" ")[1] === "leases";

export interface WritesBetween {
  /** Lease renewals excluded. */
  readonly writes: number;
  readonly leaseWrites: number;
  readonly reconciles: number;
  /** Non-zero deltas by "verb resource code", Lease renewals excluded. */
  readonly byRequest: Readonly<Record<string, number>>;
}

export function writesBetween(before: OperatorCounters, after: OperatorCounters): WritesBetween {
  const byRequest: Record<string, number> = {};
  let writes = 0;
  let leaseWrites = 0;
  for (const [request, count] of Object.entries(after.writes)) {
    const delta = count - (before.writes[request] ?? 0);
    if (isLease(request)) leaseWrites += delta;
    else if (delta !== 0) {
      byRequest[request] = delta;
      writes += delta;
    }
  }
  return { writes, leaseWrites, reconciles: after.reconciles - before.reconciles, byRequest };
}
