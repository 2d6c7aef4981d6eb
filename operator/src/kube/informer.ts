import { ListWatch, Watch, type KubeConfig, type KubernetesListObject, type KubernetesObject } from "@kubernetes/client-node";
import type { Logger } from "pino";
import type { Clock } from "../clock.ts";
import { backoffDelay, type Backoff } from "../queue/backoff.ts";

export type InformerEvent = "add" | "update" | "delete";

export interface InformerOptions<T extends KubernetesObject> {
  /** For logs and metrics: "deployments", "processgroups", ... */
  readonly resource: string;
  /** The watch path, cluster-wide or namespaced: `/apis/apps/v1/deployments`. */
  readonly path: string;
  readonly list: () => Promise<KubernetesListObject<T>>;
  readonly labelSelector?: string | undefined;
  readonly onEvent: (event: InformerEvent, object: T) => void;
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
export class Informer<T extends KubernetesObject> {
  readonly #options: InformerOptions<T>;
  readonly #listWatch: ListWatch<T>;
  #failures = 0;
  #stopped = true;
  #cancelRestart: (() => void) | undefined;
  #synced = false;
  #onSynced: (() => void)[] = [];

  constructor(kc: KubeConfig, options: InformerOptions<T>) {
    this.#options = options;
    const list = async (): Promise<KubernetesListObject<T>> => {
      const result = await options.list();
      this.#failures = 0;
      // ListWatch fills its cache right after this promise settles; report sync after that.
      setImmediate(() => this.#markSynced());
      return result;
    };
    this.#listWatch = new ListWatch<T>(options.path, new Watch(kc), list, false, options.labelSelector);
    for (const event of ["add", "update", "delete"] as const) {
      this.#listWatch.on(event, (object: T) => {
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

  get(name: string, namespace: string): T | undefined {
    return this.#listWatch.get(name, namespace);
  }

  list(namespace?: string): readonly T[] {
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
