import type { KubeConfig, KubernetesListObject, KubernetesObject, V1ConfigMap, V1Deployment, V1Ingress, V1Pod, V1Service } from "@kubernetes/client-node";
import type { Logger } from "pino";
import { z } from "zod";
import { API_GROUP, API_VERSION, PLURAL } from "../../crds/index.ts";
import type { Clock } from "./clock.ts";
import type { ElasticScaler } from "./elastic/elastic-scaler.ts";
import type { EventRecorder } from "./events/event-recorder.ts";
import type { ApiClients } from "./kube/api-clients.ts";
import { isConflict } from "./kube/api-errors.ts";
import { Informer, type InformerEvent } from "./kube/informer.ts";
import { keyOf, ownerKeyOf, splitKey } from "./kube/keys.ts";
import type { OperatorMetrics } from "./observability/metrics.ts";
import type { Backoff } from "./queue/backoff.ts";
import { WorkQueue } from "./queue/work-queue.ts";
import { NAME_LABEL } from "./render/labels.ts";
import { cachedConfigMap, cachedPod, withCachedMetadata, withoutStatus, type CachedConfigMap } from "./reconcile/cached-objects.ts";
import { childrenOf, type ObjectCache } from "./reconcile/children.ts";
import { processGroupStore } from "./reconcile/process-groups.ts";
import { reconcile, type ReconcileDeps } from "./reconcile/reconcile.ts";

export interface ControllerOptions {
  readonly kubeConfig: KubeConfig;
  readonly clients: ApiClients;
  /** Namespaces to watch; empty means all. */
  readonly namespaces: readonly string[];
  readonly workers: number;
  readonly resyncPeriodMs: number;
  readonly runtimeImage: string;
  readonly reconcileBackoff: Backoff;
  readonly watchBackoff: Backoff;
  readonly clock: Clock;
  readonly log: Logger;
  readonly metrics: OperatorMetrics;
  readonly events: EventRecorder;
  readonly elastic?: ElasticScaler | undefined;
}

/** One resource watched in every namespace we are told (or cluster-wide), read as one cache. */
class Watched<T extends KubernetesObject, C extends KubernetesObject = T> implements ObjectCache<C> {
  readonly #byNamespace = new Map<string, Informer<T, C>>();

  constructor(namespaces: readonly string[], make: (namespace: string | undefined) => Informer<T, C>) {
    if (namespaces.length === 0) this.#byNamespace.set("", make(undefined));
    for (const ns of namespaces) this.#byNamespace.set(ns, make(ns));
  }

  #informerFor(namespace: string): Informer<T, C> | undefined {
    return this.#byNamespace.get("") ?? this.#byNamespace.get(namespace);
  }

  get(name: string, namespace: string): C | undefined {
    return this.#informerFor(namespace)?.get(name, namespace);
  }

  list(namespace?: string): readonly C[] {
    if (namespace !== undefined) return this.#informerFor(namespace)?.list(namespace) ?? [];
    return [...this.#byNamespace.values()].flatMap((i) => i.list());
  }

  get synced(): boolean {
    return [...this.#byNamespace.values()].every((i) => i.synced);
  }

  async start(): Promise<void> {
    await Promise.all([...this.#byNamespace.values()].map((i) => i.start()));
  }

  async stop(): Promise<void> {
    await Promise.all([...this.#byNamespace.values()].map((i) => i.stop()));
  }
}

/** Just enough of a ProcessGroup to route events: where its route and ConfigMap source point. */
const Routing = z.object({
  metadata: z.object({ name: z.string(), namespace: z.string().default("") }),
  spec: z
    .object({
      route: z.object({ host: z.string() }).optional(),
      source: z.object({ configMap: z.object({ name: z.string() }).optional() }).optional(),
    })
    .optional(),
});

function routingOf(object: unknown) {
  const parsed = Routing.safeParse(object);
  return parsed.success ? parsed.data : undefined;
}

/**
 * Informers feed a work queue of ProcessGroup keys; workers reconcile them. Events on
 * children, ConfigMaps and neighbouring groups on the same host map to the groups they
 * concern.
 */
export class Controller {
  readonly #options: ControllerOptions;
  readonly #queue: WorkQueue;
  readonly #processGroups: Watched<KubernetesObject>;
  readonly #deployments: Watched<V1Deployment>;
  readonly #services: Watched<V1Service>;
  readonly #ingresses: Watched<V1Ingress>;
  readonly #configMaps: Watched<V1ConfigMap, CachedConfigMap>;
  readonly #pods: Watched<V1Pod>;
  readonly #deps: ReconcileDeps;
  /** The route host each group had when last seen, so a group leaving a host wakes those left on it. */
  readonly #hosts = new Map<string, string>();
  #workers: Promise<void>[] = [];
  #cancelResync: (() => void) | undefined;
  #running = false;

  constructor(options: ControllerOptions) {
    this.#options = options;
    const { clients, namespaces, metrics } = options;
    this.#queue = new WorkQueue({ clock: options.clock, backoff: options.reconcileBackoff, onDepth: (depth) => metrics.queueDepth.set(depth) });

    const informer = <T extends KubernetesObject, C extends KubernetesObject>(
      resource: string,
      pathOf: (ns: string | undefined) => string,
      list: (ns: string | undefined) => Promise<KubernetesListObject<T>>,
      transform: (object: T) => C,
      onEvent: (event: InformerEvent, object: C) => void,
      labelSelector?: string,
    ) =>
      new Watched<T, C>(namespaces, (ns) =>
        new Informer<T, C>(options.kubeConfig, {
          resource,
          path: pathOf(ns),
          list: () => list(ns),
          labelSelector,
          transform,
          onEvent,
          onWatch: () => metrics.observeRequest({ verb: "watch", resource, code: "connect" }),
          clock: options.clock,
          backoff: options.watchBackoff,
          log: options.log,
        }),
      );
    const at = (prefix: string, plural: string) => (ns: string | undefined) => (ns ? `${prefix}/namespaces/${ns}/${plural}` : `${prefix}/${plural}`);
    const pgApi = { group: API_GROUP, version: API_VERSION, plural: PLURAL };
    const toOwner = (_event: InformerEvent, child: KubernetesObject) => {
      const key = ownerKeyOf(child);
      if (key) this.#queue.add(key);
    };

    this.#processGroups = informer<KubernetesObject, KubernetesObject>(
      PLURAL,
      at(`/apis/${API_GROUP}/${API_VERSION}`, PLURAL),
      async (ns) =>
        (ns ? await clients.custom.listNamespacedCustomObject({ ...pgApi, namespace: ns }) : await clients.custom.listClusterCustomObject(pgApi)) as KubernetesListObject<KubernetesObject>,
      withCachedMetadata,
      (event, pg) => this.#onProcessGroup(event, pg),
    );
    // Our children carry our name label; watching only those keeps the caches small.
    type Selected = { labelSelector: string };
    const child = <T extends KubernetesObject>(
      prefix: string,
      plural: string,
      inNamespace: (q: Selected & { namespace: string }) => Promise<KubernetesListObject<T>>,
      everywhere: (q: Selected) => Promise<KubernetesListObject<T>>,
      transform: (object: T) => T,
    ) =>
      informer<T, T>(plural, at(prefix, plural), (ns) => (ns ? inNamespace({ namespace: ns, labelSelector: NAME_LABEL }) : everywhere({ labelSelector: NAME_LABEL })), transform, toOwner, NAME_LABEL);
    const { apps, core, networking } = clients;
    this.#deployments = child("/apis/apps/v1", "deployments", (q) => apps.listNamespacedDeployment(q), (q) => apps.listDeploymentForAllNamespaces(q), withCachedMetadata);
    this.#services = child("/api/v1", "services", (q) => core.listNamespacedService(q), (q) => core.listServiceForAllNamespaces(q), withoutStatus);
    this.#ingresses = child("/apis/networking.k8s.io/v1", "ingresses", (q) => networking.listNamespacedIngress(q), (q) => networking.listIngressForAllNamespaces(q), withoutStatus);
    this.#pods = child("/api/v1", "pods", (q) => core.listNamespacedPod(q), (q) => core.listPodForAllNamespaces(q), cachedPod);
    // Any ConfigMap may be a group's source, so all are watched, but only as a checksum each.
    this.#configMaps = informer<V1ConfigMap, CachedConfigMap>(
      "configmaps",
      at("/api/v1", "configmaps"),
      (ns) => (ns ? core.listNamespacedConfigMap({ namespace: ns }) : core.listConfigMapForAllNamespaces()),
      cachedConfigMap,
      (_event, cm) => this.#onConfigMap(cm),
    );

    this.#deps = {
      processGroups: processGroupStore(clients, this.#processGroups),
      configMaps: this.#configMaps,
      pods: this.#pods,
      children: childrenOf(clients, { deployments: this.#deployments, services: this.#services, ingresses: this.#ingresses }),
      events: options.events,
      runtimeImage: options.runtimeImage,
      clock: options.clock,
      elastic: options.elastic,
    };
  }

  get #all() {
    return [this.#processGroups, this.#deployments, this.#services, this.#ingresses, this.#configMaps, this.#pods];
  }

  /** Caches filled and workers running. */
  get ready(): boolean {
    return this.#running && this.#all.every((w) => w.synced);
  }

  /** Fills the caches, then starts the workers and the periodic resync. */
  async start(): Promise<void> {
    const started = performance.now();
    await Promise.all(this.#all.map((w) => w.start()));
    if (this.#queue.shuttingDown) return;
    this.#running = true;
    this.#options.log.info({ ms: Math.round(performance.now() - started), groups: this.#processGroups.list().length }, "caches synced; reconciling");
    this.#workers = Array.from({ length: this.#options.workers }, () => this.#work());
    this.#scheduleResync();
  }

  /** Stops taking work, lets the reconciles in flight finish, then stops watching. */
  async stop(): Promise<void> {
    this.#queue.shutDown();
    this.#cancelResync?.();
    await this.#queue.drained();
    await Promise.all(this.#workers);
    await Promise.all(this.#all.map((w) => w.stop()));
    this.#running = false;
  }

  #onProcessGroup(event: InformerEvent, pg: KubernetesObject): void {
    const routing = routingOf(pg);
    if (!routing) return;
    const key = keyOf(routing.metadata.namespace, routing.metadata.name);
    if (event === "delete" && pg.metadata?.uid) this.#options.elastic?.forget(pg.metadata.uid);
    this.#queue.add(key);
    const hosts = new Set([this.#hosts.get(key), routing.spec?.route?.host].filter((h): h is string => h !== undefined));
    if (event === "delete" || !routing.spec?.route) this.#hosts.delete(key);
    else this.#hosts.set(key, routing.spec.route.host);
    // A group that takes, changes or gives up a host changes who owns which mount there.
    for (const [other, host] of this.#hosts) if (other !== key && hosts.has(host)) this.#queue.add(other);
  }

  #onConfigMap(cm: CachedConfigMap): void {
    const namespace = cm.metadata?.namespace ?? "";
    for (const pg of this.#processGroups.list(namespace)) {
      const routing = routingOf(pg);
      if (routing?.spec?.source?.configMap?.name === cm.metadata?.name) this.#queue.add(keyOf(namespace, routing?.metadata.name ?? ""));
    }
  }

  #scheduleResync(): void {
    if (this.#options.resyncPeriodMs <= 0) return;
    this.#cancelResync = this.#options.clock.setTimeout(() => {
      for (const pg of this.#processGroups.list()) {
        const routing = routingOf(pg);
        if (routing) this.#queue.add(keyOf(routing.metadata.namespace, routing.metadata.name));
      }
      this.#scheduleResync();
    }, this.#options.resyncPeriodMs);
  }

  async #work(): Promise<void> {
    const { metrics } = this.#options;
    for (;;) {
      const key = await this.#queue.get();
      if (key === undefined) return;
      const { namespace, name } = splitKey(key);
      const log = this.#options.log.child({ namespace, name });
      const stopTimer = metrics.reconcileDuration.startTimer();
      try {
        const outcome = await reconcile(this.#deps, namespace, name);
        this.#queue.forget(key);
        // An elastic group's load changes with no event to say so: it is looked at again.
        if (outcome.requeueAfterMs !== undefined) this.#queue.addAfter(key, outcome.requeueAfterMs);
        metrics.reconciles.inc({ result: outcome.result });
        if (outcome.changes.length > 0) log.info({ result: outcome.result, changes: outcome.changes }, "reconciled");
        else log.debug({ result: outcome.result }, "reconciled; nothing to change");
      } catch (error) {
        const delay = this.#queue.addRateLimited(key);
        const conflict = isConflict(error);
        metrics.reconciles.inc({ result: conflict ? "requeue" : "error" });
        log[conflict ? "debug" : "warn"]({ err: error instanceof Error ? error.message : String(error), retryInMs: delay }, conflict ? "conflict; retrying" : "reconcile failed; retrying");
      } finally {
        stopTimer();
        this.#queue.done(key);
      }
    }
  }
}
