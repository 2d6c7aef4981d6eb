import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from "prom-client";
import { SCALING_REASONS } from "../elastic/scaling-decision.ts";

export const RECONCILE_RESULTS = ["success", "degraded", "requeue", "error"] as const;
export type ReconcileResult = (typeof RECONCILE_RESULTS)[number];

/** Verbs that change something on the server; an idle operator sends none of them. */
export const WRITE_VERBS: ReadonlySet<string> = new Set(["post", "put", "patch", "delete"]);

/**
 * How often prom-client's event-loop-lag histogram samples the operator's event loop, in ms.
 * Its default, 10 ms, is a native timer that wakes the process 100 times a second although a
 * watch-driven operator has nothing to do between events. Ten samples a second still see
 * every stall longer than 100 ms. The runtime makes the same choice for its processes.
 */
export const EVENT_LOOP_LAG_RESOLUTION_MS = 100;

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

  readonly elasticDecisions = new Counter({
    name: "processgroup_operator_elastic_decisions_total",
    help: "Scaling decisions for elastic ProcessGroups, by reason (QueueNotEmpty, AboveTarget, BelowTarget, WithinTarget, Stabilizing, NoMetrics, OutsideLimits) and direction (up, down, none).",
    labelNames: ["reason", "direction"] as const,
    registers: [this.registry],
  });
  readonly elasticScrapes = new Counter({
    name: "processgroup_operator_elastic_scrapes_total",
    help: "Reads of ready pods' runtime /metrics for elastic ProcessGroups, by result: known, or unknown (no answer in time, an error status, not the runtime's metrics).",
    labelNames: ["result"] as const,
    registers: [this.registry],
  });

  constructor(options: { processMetrics?: boolean } = {}) {
    RECONCILE_RESULTS.forEach((result) => this.reconciles.inc({ result }, 0));
    SCALING_REASONS.forEach((reason) => this.elasticDecisions.inc({ reason, direction: "none" }, 0));
    for (const result of ["known", "unknown"]) this.elasticScrapes.inc({ result }, 0);
    if (options.processMetrics !== false) collectDefaultMetrics({ register: this.registry, prefix: "processgroup_operator_", eventLoopMonitoringPrecision: EVENT_LOOP_LAG_RESOLUTION_MS });
  }

  /** An elastic group's decision: its reason and which way it moved the processes. */
  observeElastic(decision: { reason: string; desired: number; current: number; read: number; unknown: readonly string[] }): void {
    const direction = decision.desired > decision.current ? "up" : decision.desired < decision.current ? "down" : "none";
    this.elasticDecisions.inc({ reason: decision.reason, direction });
    if (decision.read > 0) this.elasticScrapes.inc({ result: "known" }, decision.read);
    if (decision.unknown.length > 0) this.elasticScrapes.inc({ result: "unknown" }, decision.unknown.length);
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
