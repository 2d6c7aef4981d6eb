import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from "prom-client";

export const RECONCILE_RESULTS = ["success", "degraded", "requeue", "error"] as const;
export type ReconcileResult = (typeof RECONCILE_RESULTS)[number];

/** Verbs that change something on the server; an idle operator sends none of them. */
export const WRITE_VERBS: ReadonlySet<string> = new Set(["post", "put", "patch", "delete"]);

/**
 * The operator's metrics, in a registry of its own (not prom-client's global one), so two
 * operators in one process (tests) do not share counters.
 */
export class OperatorMetrics {
  readonly registry = new Registry();
  readonly reconciles = new Counter({
    name: "processgroup_operator_reconciles_total",
    help: "Reconciles of ProcessGroups, by result: success, degraded (a user's mistake was reported), requeue, error.",
    labelNames: ["result"] as const,
    registers: [this.registry],
  });
  readonly reconcileDuration = new Histogram({
    name: "processgroup_operator_reconcile_duration_seconds",
    help: "Time one reconcile of a ProcessGroup took.",
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [this.registry],
  });
  readonly queueDepth = new Gauge({
    name: "processgroup_operator_queue_depth",
    help: "ProcessGroups waiting to be reconciled.",
    registers: [this.registry],
  });
  readonly apiRequests = new Counter({
    name: "processgroup_operator_api_requests_total",
    help: "Requests to the Kubernetes API server, by verb (get, list, watch, post, put, patch, delete), resource and HTTP status code.",
    labelNames: ["verb", "resource", "code"] as const,
    registers: [this.registry],
  });
  readonly leader = new Gauge({
    name: "processgroup_operator_leader",
    help: "1 while this replica holds the leader Lease (or runs without leader election), else 0.",
    registers: [this.registry],
  });

  constructor(options: { processMetrics?: boolean } = {}) {
    RECONCILE_RESULTS.forEach((result) => this.reconciles.inc({ result }, 0));
    if (options.processMetrics !== false) collectDefaultMetrics({ register: this.registry, prefix: "processgroup_operator_" });
  }

  observeRequest(request: { verb: string; resource: string; code: string }): void {
    this.apiRequests.inc(request);
  }

  /** Mutating requests so far, optionally only for some resources. */
  async writes(filter: (resource: string) => boolean = () => true): Promise<number> {
    const { values } = await this.apiRequests.get();
    return values.filter((v) => WRITE_VERBS.has(String(v.labels.verb)) && filter(String(v.labels.resource))).reduce((sum, v) => sum + v.value, 0);
  }
}
