import { ListWatch, Watch, type KubeConfig, type KubernetesListObject, type KubernetesObject } from "@kubernetes/client-node";
import type { Logger } from "pino";
import type { Clock } from "../clock.ts";
import { backoffDelay, type Backoff } from "../queue/backoff.ts";

export type InformerEvent = "add" | "update" | "delete";

/** The watch events that carry an object of the resource (not a bookmark or an error status). */
const OBJECT_EVENTS: ReadonlySet<string> = new Set(["ADDED", "MODIFIED", "DELETED"]);

/**
 * A Watch that hands each watched object through `transform` before the ListWatch caches it,
 * so the full object the server sent is garbage as soon as its event is handled.
 */
class TransformingWatch<T extends KubernetesObject, C extends KubernetesObject> extends Watch {
  readonly #transform: (object: T) => C;

  constructor(kc: KubeConfig, transform: (object: T) => C) {
    super(kc);
    this.#transform = transform;
  }

  override watch(
    path: string,
    queryParams: Record<string, string | number | boolean | undefined>,
    callback: (phase: string, apiObj: unknown, watchObj?: unknown) => void,
    done: (err: unknown) => void,
  ): Promise<AbortController> {
    return super.watch(path, queryParams, (phase: string, object: unknown) => callback(phase, OBJECT_EVENTS.has(phase) ? this.#transform(object as T) : object), done);
  }
}

export interface InformerOptions<T extends KubernetesObject, C extends KubernetesObject = T> {
  /** For logs and metrics: "deployments", "processgroups", ... */
  readonly resource: string;
  /** The watch path, cluster-wide or namespaced: `/apis/apps/v1/deployments`. */
  readonly path: string;
  readonly list: () => Promise<KubernetesListObject<T>>;
  readonly labelSelector?: string | undefined;
  /**
   * What the cache keeps of each listed or watched object: only the fields the operator
   * reads. Every object passes through it before it is cached or handed to onEvent.
   */
  readonly transform: (object: T) => C;
  readonly onEvent: (event: InformerEvent, object: C) => void;
  /** Told each time a watch (re)connects, for the request metrics. */
  readonly onWatch?: (resource: string) => void;
  readonly clock: Clock;
  readonly backoff: Backoff;
  readonly log: Logger;
}

/**
 * client-node's ListWatch keeps a cache from a list and a watch, relists on 410 Gone and
 * reconnects a watch that merely ended, but it stops for good on any other error. This
 * restarts it after an exponential backoff, forever, so a flapping API server never makes
 * the operator exit or go blind.
 */
export class Informer<T extends KubernetesObject, C extends KubernetesObject = T> {
  readonly #options: InformerOptions<T, C>;
  readonly #listWatch: ListWatch<C>;
  #failures = 0;
  #stopped = true;
  #cancelRestart: (() => void) | undefined;
  #synced = false;
  #onSynced: (() => void)[] = [];

  constructor(kc: KubeConfig, options: InformerOptions<T, C>) {
    this.#options = options;
    const list = async (): Promise<KubernetesListObject<C>> => {
      const result = await options.list();
      this.#failures = 0;
      // ListWatch fills its cache right after this promise settles; report sync after that.
      setImmediate(() => this.#markSynced());
      return { ...result, items: result.items.map(options.transform) };
    };
    this.#listWatch = new ListWatch<C>(options.path, new TransformingWatch(kc, options.transform), list, false, options.labelSelector);
    for (const event of ["add", "update", "delete"] as const) {
      this.#listWatch.on(event, (object: C) => {
        this.#failures = 0;
        options.onEvent(event, object);
      });
    }
    this.#listWatch.on("connect", () => options.onWatch?.(options.resource));
    this.#listWatch.on("error", (error: unknown) => this.#failed(error));
  }

  get synced(): boolean {
    return this.#synced;
  }

  /** Starts listing and watching; resolves once the first list is in the cache. */
  start(): Promise<void> {
    this.#stopped = false;
    const synced = this.#synced ? Promise.resolve() : new Promise<void>((resolve) => this.#onSynced.push(resolve));
    void this.#run();
    return synced;
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    this.#cancelRestart?.();
    this.#cancelRestart = undefined;
    for (const resolve of this.#onSynced.splice(0)) resolve();
    await this.#listWatch.stop();
  }

  get(name: string, namespace: string): C | undefined {
    return this.#listWatch.get(name, namespace);
  }

  list(namespace?: string): readonly C[] {
    return this.#listWatch.list(namespace);
  }

  #markSynced(): void {
    this.#synced = true;
    for (const resolve of this.#onSynced.splice(0)) resolve();
  }

  async #run(): Promise<void> {
    try {
      await this.#listWatch.start();
    } catch (error) {
      this.#failed(error);
    }
  }

  #failed(error: unknown): void {
    if (this.#stopped || this.#cancelRestart) return;
    this.#failures++;
    const delay = backoffDelay(this.#options.backoff, this.#failures);
    this.#options.log.warn(
      { resource: this.#options.resource, err: error instanceof Error ? error.message : String(error), retryInMs: delay },
      "watch failed; restarting it",
    );
    this.#cancelRestart = this.#options.clock.setTimeout(() => {
      this.#cancelRestart = undefined;
      if (!this.#stopped) void this.#run();
    }, delay);
  }
}
