import { VersionApi, type KubeConfig } from "@kubernetes/client-node";
import type { Logger } from "pino";
import { systemClock, type Clock } from "./clock.ts";
import { ADMIN_PORT } from "../../crds/index.ts";
import { Controller } from "./controller.ts";
import { ElasticScaler } from "./elastic/elastic-scaler.ts";
import { httpPodMetricsScraper } from "./elastic/pod-metrics-scraper.ts";
import { EventRecorder } from "./events/event-recorder.ts";
import { makeApiClients, type ApiClients } from "./kube/api-clients.ts";
import { LeaderElector, type LeaderElectionTimings } from "./leader/leader-election.ts";
import { leaseClient } from "./leader/lease-client.ts";
import { ApiReachability } from "./observability/api-reachability.ts";
import { HealthServer } from "./observability/health-server.ts";
import { OperatorMetrics } from "./observability/metrics.ts";
import type { Backoff } from "./queue/backoff.ts";

/** How often a reachable API server is asked again, and how long one check may take. */
const API_CHECK_INTERVAL_MS = 10_000;
const API_CHECK_TIMEOUT_MS = 5_000;

/** How often an elastic group's pods are read and its processes decided again. */
export const ELASTIC_INTERVAL_MS = 5_000;
/** A pod's /metrics that takes longer counts as unknown: one slow pod must not hold up the decision. */
export const ELASTIC_SCRAPE_TIMEOUT_MS = 1_000;

export interface ElasticSettings {
  /** The pods' admin port (the runtime's ADMIN_PORT in every pod the operator renders). */
  readonly metricsPort: number;
  readonly intervalMs: number;
  readonly scrapeTimeoutMs: number;
}

export interface LeaderElectionSettings {
  readonly enabled: boolean;
  readonly namespace: string;
  readonly name: string;
  readonly identity: string;
  readonly timings: LeaderElectionTimings;
}

export interface OperatorOptions {
  readonly kubeConfig: KubeConfig;
  /** Namespaces to watch; empty: all. */
  readonly namespaces: readonly string[];
  readonly workers: number;
  readonly resyncPeriodMs: number;
  readonly runtimeImage: string;
  /** Port of /healthz, /readyz and /metrics; 0 picks a free one; undefined serves none. */
  readonly port: number | undefined;
  readonly host: string;
  readonly leaderElection: LeaderElectionSettings;
  readonly reconcileBackoff: Backoff;
  readonly watchBackoff: Backoff;
  readonly log: Logger;
  readonly clock?: Clock;
  /** Process-wide metrics (CPU, memory, event loop); off when several operators share a process. */
  readonly processMetrics?: boolean;
  /** Where and how often elastic groups' pods are read (default: ADMIN_PORT, every 5 s, 1 s timeout). */
  readonly elastic?: Partial<ElasticSettings>;
}

/**
 * The operator: a controller that runs while this replica leads (or always, without leader
 * election), plus the health and metrics endpoint. stop() is the graceful shutdown: no new
 * work, the reconciles in flight finish, the lease is released.
 */
export class Operator {
  readonly metrics: OperatorMetrics;
  readonly #o: OperatorOptions;
  readonly #clock: Clock;
  readonly #clients: ApiClients;
  readonly #events: EventRecorder;
  readonly #server: HealthServer | undefined;
  readonly #elector: LeaderElector | undefined;
  readonly #api: ApiReachability;
  readonly #elastic: ElasticScaler;
  #controller: Controller | undefined;
  /** Serialises controller start/stop, so a quick lose-and-regain never runs two controllers. */
  #transition: Promise<void> = Promise.resolve();
  #port: number | undefined;
  #stopped = false;

  constructor(options: OperatorOptions) {
    this.#o = options;
    this.#clock = options.clock ?? systemClock;
    this.metrics = new OperatorMetrics({ processMetrics: options.processMetrics ?? true });
    this.#clients = makeApiClients(options.kubeConfig, (r) => this.metrics.observeRequest(r));
    const elastic: ElasticSettings = { metricsPort: ADMIN_PORT, intervalMs: ELASTIC_INTERVAL_MS, scrapeTimeoutMs: ELASTIC_SCRAPE_TIMEOUT_MS, ...options.elastic };
    this.#elastic = new ElasticScaler({
      scraper: httpPodMetricsScraper({ port: elastic.metricsPort, timeoutMs: elastic.scrapeTimeoutMs }),
      intervalMs: elastic.intervalMs,
      observer: { decided: (verdict) => this.metrics.observeElastic(verdict) },
    });
    this.#events = new EventRecorder({ core: this.#clients.core, clock: this.#clock, log: options.log, instance: options.leaderElection.identity });
    const version = options.kubeConfig.makeApiClient(VersionApi);
    this.#api = new ApiReachability({
      check: () => version.getCode(),
      server: options.kubeConfig.getCurrentCluster()?.server ?? "(no cluster)",
      backoff: options.watchBackoff,
      intervalMs: API_CHECK_INTERVAL_MS,
      timeoutMs: API_CHECK_TIMEOUT_MS,
      log: options.log,
    });
    this.#server = options.port === undefined ? undefined : new HealthServer({ live: () => true, ready: () => this.#readiness() }, this.metrics.registry);
    const le = options.leaderElection;
    if (le.enabled) {
      this.#elector = new LeaderElector({
        leases: leaseClient(this.#clients.coordination, le.namespace, le.name),
        namespace: le.namespace,
        name: le.name,
        identity: le.identity,
        timings: le.timings,
        clock: this.#clock,
        log: options.log,
        onStartedLeading: () => this.#startController(),
        onStoppedLeading: () => this.#stopController(),
        onLeaderChange: (leading) => this.metrics.leader.set(leading ? 1 : 0),
      });
    }
  }

  /** The bound port of the health server. */
  get port(): number | undefined {
    return this.#port;
  }

  get leading(): boolean {
    return this.#elector ? this.#elector.leading : !this.#stopped;
  }

  /** Reconciling with synced caches. */
  get reconciling(): boolean {
    return this.#controller?.ready ?? false;
  }

  /** Serves health, then campaigns (or starts reconciling at once). Resolves without waiting to lead. */
  async start(): Promise<void> {
    if (this.#server && this.#o.port !== undefined) this.#port = await this.#server.listen(this.#o.port, this.#o.host);
    this.#o.log.info(
      { port: this.#port, namespaces: this.#o.namespaces.length > 0 ? this.#o.namespaces : "all", leaderElection: this.#o.leaderElection.enabled, identity: this.#o.leaderElection.identity },
      "operator started",
    );
    this.#api.start();
    if (this.#elector) {
      this.metrics.leader.set(0);
      void this.#elector.run();
    } else {
      this.metrics.leader.set(1);
      void this.#startController();
    }
  }

  async stop(): Promise<void> {
    if (this.#stopped) return;
    this.#stopped = true;
    this.#api.stop();
    this.#o.log.info("stopping: finishing the reconciles in flight");
    if (this.#elector) await this.#elector.stop();
    else await this.#stopController();
    this.metrics.leader.set(0);
    await this.#server?.close();
    this.#o.log.info("stopped");
  }

  #readiness(): { ok: boolean; detail: string } {
    if (this.#stopped) return { ok: false, detail: "stopping" };
    const unreachable = this.#api.problem;
    if (unreachable !== undefined) return { ok: false, detail: unreachable };
    if (this.#elector && !this.#elector.leading) return { ok: true, detail: "standing by for the leader lease" };
    return this.reconciling ? { ok: true, detail: "ok" } : { ok: false, detail: "caches not yet synced" };
  }

  #startController(): Promise<void> {
    this.#transition = this.#transition.then(async () => {
      if (this.#stopped && !this.#elector) return;
      const controller = new Controller({
        kubeConfig: this.#o.kubeConfig,
        clients: this.#clients,
        namespaces: this.#o.namespaces,
        workers: this.#o.workers,
        resyncPeriodMs: this.#o.resyncPeriodMs,
        runtimeImage: this.#o.runtimeImage,
        reconcileBackoff: this.#o.reconcileBackoff,
        watchBackoff: this.#o.watchBackoff,
        clock: this.#clock,
        log: this.#o.log,
        metrics: this.metrics,
        events: this.#events,
        elastic: this.#elastic,
      });
      this.#controller = controller;
      // Not awaited: waiting for caches must not hold up a stop that comes meanwhile.
      controller.start().catch((error: unknown) => this.#o.log.error({ err: String(error) }, "controller failed to start"));
    });
    return this.#transition;
  }

  #stopController(): Promise<void> {
    this.#transition = this.#transition.then(async () => {
      const controller = this.#controller;
      this.#controller = undefined;
      await controller?.stop();
    });
    return this.#transition;
  }
}
