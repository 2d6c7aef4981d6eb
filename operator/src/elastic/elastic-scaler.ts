import type { V1Pod } from "@kubernetes/client-node";
import type { ProcessGroup } from "../../../crds/index.ts";
import type { PodMetricsScraper } from "./pod-metrics-scraper.ts";
import { decideScale, type Recommendation, type ScalingDecision } from "./scaling-decision.ts";
import { scrapeTargetsOf } from "./scrape-targets.ts";

/** What a reconcile of an elastic group learns before it renders: the processes to run and why. */
export interface ElasticVerdict extends ScalingDecision {
  /** The Deployment's replicas the decision started from. */
  readonly current: number;
  /** Ready pods read, and those that could not be (name: why). */
  readonly read: number;
  readonly unknown: readonly string[];
}

export interface ElasticObserver {
  decided(verdict: ElasticVerdict): void;
}

/**
 * The edge around the pure decision: reads the pods, keeps each group's recent
 * recommendations (in memory: a new leader starts afresh and, by the decision's rule, waits
 * a whole window before scaling down), and says how soon to look again.
 */
export class ElasticScaler {
  readonly #scraper: PodMetricsScraper;
  readonly #observer: ElasticObserver | undefined;
  readonly #histories = new Map<string, readonly Recommendation[]>();
  /** How often an elastic group is reconciled again, for its metrics. */
  readonly intervalMs: number;

  constructor(options: { scraper: PodMetricsScraper; intervalMs: number; observer?: ElasticObserver }) {
    this.#scraper = options.scraper;
    this.intervalMs = options.intervalMs;
    this.#observer = options.observer;
  }

  async decide(pg: ProcessGroup & { spec: { elastic: NonNullable<ProcessGroup["spec"]["elastic"]> } }, pods: readonly V1Pod[], current: number, now: number): Promise<ElasticVerdict> {
    const key = pg.metadata.uid ?? `${pg.metadata.namespace ?? ""}/${pg.metadata.name}`;
    const results = await this.#scraper.scrape(scrapeTargetsOf(pods));
    const { elastic } = pg.spec;
    const decision = decideScale({
      limits: {
        minProcesses: pg.spec.processes ?? 1,
        maxProcesses: elastic.maxProcesses,
        targetBusyPercent: elastic.targetBusyPercent,
        scaleDownStabilizationSeconds: elastic.scaleDownStabilizationSeconds,
      },
      samples: results.map((r) => r.sample),
      current,
      history: this.#histories.get(key) ?? [],
      now,
    });
    this.#histories.set(key, decision.history);
    const unknown = results.flatMap((r) => (r.problem !== undefined ? [`${r.podName}: ${r.problem}`] : []));
    const verdict: ElasticVerdict = { ...decision, current, read: results.length - unknown.length, unknown };
    this.#observer?.decided(verdict);
    return verdict;
  }

  /** A group that is gone or no longer elastic. */
  forget(uid: string): void {
    this.#histories.delete(uid);
  }
}
