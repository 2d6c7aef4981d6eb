import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { Logger } from "pino";
import type { AdminSource } from "../admin/admin-server.ts";
import { createFrontServer } from "../http/front-server.ts";
import { RuntimeMetrics } from "../observability/metrics.ts";
import type { RuntimeSettings, ServedApplication } from "../settings/runtime-settings.ts";
import { ThreadPool } from "../threads/thread-pool.ts";
import { watchEntries } from "./entry-watcher.ts";
import { listenHandleOf, type ListenHandle } from "./listen-handle.ts";

const LINGER_MS = 1_000;

function seconds(value: number | undefined): number | undefined {
  return value === undefined ? undefined : value * 1000;
}

function groupsOf(apps: readonly ServedApplication[]): Map<string, ServedApplication[]> {
  const groups = new Map<string, ServedApplication[]>();
  for (const app of apps) groups.set(app.applicationGroup, [...(groups.get(app.applicationGroup) ?? []), app]);
  return groups;
}

/** Listens on the port, or on a socket another process opened (`inherited`). */
function listen(server: Server, settings: RuntimeSettings, inherited: ListenHandle | undefined): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    const listening = () => {
      server.off("error", reject);
      resolve((server.address() as AddressInfo).port);
    };
    if (inherited) server.listen(inherited, settings.listenBacklog, listening);
    else server.listen({ host: settings.host, port: settings.port, backlog: settings.listenBacklog, reusePort: settings.reusePort }, listening);
  });
}

/**
 * One runtime process: the HTTP front, a thread pool per application group, reload on entry
 * changes, and the drain on SIGTERM. It reports to an admin server of its own (`run`) or
 * to a `serve` supervisor through the AdminSource it is.
 */
export class ProcessRuntime implements AdminSource {
  readonly settings: RuntimeSettings;
  readonly #metrics: RuntimeMetrics;
  readonly #log: Logger;
  readonly #pools = new Map<string, ThreadPool>();
  readonly #placement = new Map<string, { pool: ThreadPool; index: number }>();
  readonly #front: Server;
  #draining = false;
  #starting = true;
  #stopWatching: (() => void) | undefined;
  #stopped: Promise<void> | undefined;
  #port = 0;

  constructor(settings: RuntimeSettings, log: Logger, options: { defaultMetrics: boolean }) {
    this.settings = settings;
    this.#log = log;
    this.#metrics = new RuntimeMetrics(options);
    for (const [group, apps] of groupsOf(settings.applications)) {
      const pool = new ThreadPool({
        workerData: {
          processGroup: settings.processGroup,
          applicationGroup: group,
          applications: apps.map(({ name, mount, entry }) => ({ name, mount, entry })),
          preload: settings.preload.filter((p) => p.applicationGroup === undefined || p.applicationGroup === group).map((p) => p.module),
          multiprocess: settings.multiprocess,
          multithread: settings.multithread,
          threads: settings.threads,
          concurrency: settings.concurrency,
          environment: settings.environment,
        },
        threads: settings.threads,
        maximumRequests: settings.maximumRequests,
        requestTimeoutMs: seconds(settings.requestTimeoutSeconds),
        queueTimeoutMs: seconds(settings.queueTimeoutSeconds),
        queueCapacity: settings.listenBacklog,
        gracefulTimeoutMs: settings.gracefulTimeoutSeconds * 1000,
        restartIntervalMs: seconds(settings.restartIntervalSeconds),
        memoryLimitMb: settings.threadMemoryLimitMegabytes,
        logger: log,
        observer: this.#metrics,
      });
      this.#pools.set(group, pool);
      apps.forEach((app, index) => this.#placement.set(app.name, { pool, index }));
    }
    this.#front = createFrontServer({
      settings,
      poolOf: (app) => {
        const placement = this.#placement.get(app.name);
        if (!placement) throw new Error(`no pool serves application ${app.name}`);
        return placement;
      },
      metrics: this.#metrics,
      log,
      closing: () => this.#draining,
    });
  }

  /**
   * Listens at once (requests wait in the queue while threads load), then loads every group.
   * `inherited` is a listening socket to accept from instead of opening one.
   */
  async start(listening?: (port: number) => void, inherited?: ListenHandle): Promise<void> {
    this.#port = await listen(this.#front, this.settings, inherited);
    listening?.(this.#port);
    this.#log.info({ port: this.#port, host: this.settings.host, threads: this.settings.threads, groups: [...this.#pools.keys()] }, "listening");
    await Promise.all([...this.#pools.values()].map((p) => p.start()));
    this.#starting = false;
    if (this.settings.reloadOnChange) {
      const entries = new Map([...groupsOf(this.settings.applications)].map(([group, apps]) => [group, apps.map((a) => a.entry)]));
      this.#stopWatching = await watchEntries(entries, (group) => {
        this.#log.info({ applicationGroup: group }, "entry changed: reloading the group's threads");
        void this.#pools.get(group)?.replaceAll("reload");
      });
    }
    const reasons = await this.readiness();
    if (reasons === null) this.#log.info("ready");
    else this.#log.error({ reasons }, "not ready");
  }

  /** The apps' port, once listening (the kernel's pick when settings.port is 0). */
  get port(): number {
    return this.#port;
  }

  /** The apps' listening socket, to hand to another process; undefined once it stopped accepting. */
  get listenHandle(): ListenHandle | undefined {
    return listenHandleOf(this.#front);
  }

  async readiness(): Promise<readonly string[] | null> {
    const reasons: string[] = [];
    if (this.#draining) reasons.push("the process is shutting down");
    if (this.#starting) reasons.push("application groups are loading");
    for (const [group, pool] of this.#pools) {
      const state = pool.state;
      if (state.kind === "failed") reasons.push(state.error);
      else if (state.kind === "starting") reasons.push(`application group ${group} is loading`);
    }
    return reasons.length === 0 ? null : reasons;
  }

  async metrics(): Promise<{ contentType: string; text: string }> {
    return { contentType: this.#metrics.registry.contentType, text: await this.#metrics.registry.metrics() };
  }

  /** The metrics as data, for a supervisor that adds up its processes'. */
  metricsJson(): Promise<unknown> {
    return this.#metrics.registry.getMetricsAsJSON();
  }

  /**
   * mod_wsgi's shutdown: stop accepting, let what was accepted finish within the graceful
   * timeout, answer what is left 503, and stop. The caller enforces shutdownTimeout as the
   * hard stop.
   */
  stop(): Promise<void> {
    this.#stopped ??= this.#drainAndStop();
    return this.#stopped;
  }

  async #drainAndStop(): Promise<void> {
    this.#draining = true;
    this.#stopWatching?.();
    const gracefulMs = this.settings.gracefulTimeoutSeconds * 1000;
    this.#log.info({ gracefulTimeoutSeconds: this.settings.gracefulTimeoutSeconds }, "draining");
    const graceful = new Promise<"timeout">((resolve) => setTimeout(() => resolve("timeout"), gracefulMs).unref());
    // For a moment the port stays open while every response says Connection: close, so
    // keep-alive clients leave after an answer instead of racing the close of their idle
    // connection (closing the listener closes idle connections) with their next request.
    await new Promise((resolve) => setTimeout(resolve, Math.min(LINGER_MS, gracefulMs / 2)));
    // The pools stay open until the last connection has closed: a request that arrives on a
    // connection still open (its head was on the way, or its connection's last response
    // started before the drain and so did not say Connection: close) is served like any
    // other, with Connection: close, instead of being refused 503 after the pools drained.
    const closed = new Promise<"closed">((resolve) => this.#front.close(() => resolve("closed")));
    const outcome = await Promise.race([closed, graceful]);
    if (outcome === "timeout") this.#log.warn("graceful timeout: answering what is left with 503");
    for (const pool of this.#pools.values()) pool.close();
    this.#front.closeAllConnections();
    this.#log.info("stopped");
  }
}
