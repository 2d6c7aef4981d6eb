import type { Server as HttpServer } from "node:http";
import { cpuCores } from "./cpu-cores.ts";
import { createServer as createNetServer, type AddressInfo, type Server } from "node:net";
import type { Logger } from "pino";
import type { AdminSource } from "../admin/admin-server.ts";
import { ConnectionPool } from "../connections/connection-pool.ts";
import { createFrontServer } from "../http/front-server.ts";
import { RuntimeMetrics } from "../observability/metrics.ts";
import { requirementProblem } from "../routing/requirements.ts";
import { dispatchOf } from "../settings/dispatch.ts";
import type { RuntimeSettings, ServedApplication } from "../settings/runtime-settings.ts";
import type { WorkerData } from "../threads/protocol.ts";
import { ThreadPool } from "../threads/thread-pool.ts";
import { hostname } from "node:os";
import type { OnceBackend } from "../once/once-backend.ts";
import { OnceService } from "../once/once-service.ts";
import { OnceTable } from "../once/once-table.ts";
import { watchEntries } from "./entry-watcher.ts";
import { adoptConnection } from "./adopt-connection.ts";
import type { ConnectionHandle } from "./connection-handle.ts";

const LINGER_MS = 1_000;
/** Listen on nothing: another process accepts the connections and deals them (`adopt`). */
export const DEALT = "dealt";

function seconds(value: number | undefined): number | undefined {
  return value === undefined ? undefined : value * 1000;
}

function groupsOf(apps: readonly ServedApplication[]): Map<string, ServedApplication[]> {
  const groups = new Map<string, ServedApplication[]>();
  for (const app of apps) groups.set(app.applicationGroup, [...(groups.get(app.applicationGroup) ?? []), app]);
  return groups;
}

/** Listens on the settings' port. */
function listen(server: Server, settings: RuntimeSettings): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen({ host: settings.host, port: settings.port, backlog: settings.listenBacklog }, () => {
      server.off("error", reject);
      resolve((server.address() as AddressInfo).port);
    });
  });
}

function workerDataOf(settings: RuntimeSettings, group: string, apps: readonly ServedApplication[]): WorkerData {
  return {
    processGroup: settings.processGroup,
    applicationGroup: group,
    applications: apps.map(({ name, mount, entry }) => ({ name, mount, entry })),
    preload: settings.preload.filter((p) => p.applicationGroup === undefined || p.applicationGroup === group).map((p) => p.module),
    multiprocess: settings.multiprocess,
    multithread: settings.multithread,
    threads: settings.threads,
    concurrency: settings.concurrency,
    environment: settings.environment,
  };
}

/** The threads of a process, whichever way requests reach them. */
type Pools = { readonly kind: "request"; readonly pools: ReadonlyMap<string, ThreadPool> } | { readonly kind: "connection"; readonly pool: ConnectionPool };

/**
 * One runtime process: the front (connection dispatch: an acceptor that hands connections to
 * the threads; request dispatch: an HTTP server that forwards each request to its group's
 * pool), reload on entry changes, and the drain on SIGTERM. It reports to an admin server of
 * its own (`run`) or to a `serve` supervisor through the AdminSource it is.
 */
export class ProcessRuntime implements AdminSource {
  readonly settings: RuntimeSettings;
  readonly #metrics: RuntimeMetrics;
  readonly #log: Logger;
  readonly #pools: Pools;
  readonly #front: Server;
  readonly #once: OnceService;
  #draining = false;
  #starting = true;
  #stopWatching: (() => void) | undefined;
  #stopped: Promise<void> | undefined;
  #port = 0;

  constructor(settings: RuntimeSettings, log: Logger, options: { defaultMetrics: boolean; once?: OnceBackend | undefined }) {
    this.settings = settings;
    this.#log = log;
    this.#metrics = new RuntimeMetrics(options);
    // Without a supervisor or a cluster to ask, the process is the whole group.
    const onceBackend = options.once ?? new OnceTable(settings.onceTakeoverMs);
    this.#once = new OnceService(onceBackend, process.env.PROCESSGROUP_POD_NAME ?? hostname(), log);
    const once = this.#once;
    const groups = groupsOf(settings.applications);
    if (dispatchOf(settings.dispatch, groups.size) === "connection") {
      const [[group, apps]] = [...groups] as [[string, ServedApplication[]]];
      const pool = new ConnectionPool({
        workerData: workerDataOf(settings, group, apps),
        serving: {
          concurrency: settings.concurrency,
          requestTimeoutMs: seconds(settings.requestTimeoutSeconds),
          queueTimeoutMs: seconds(settings.queueTimeoutSeconds),
          queueCapacity: settings.listenBacklog,
          maximumRequests: settings.maximumRequests,
          http: settings.http,
          accessLog: settings.accessLog,
          problems: apps.map((app) => requirementProblem(app, settings)),
        },
        threads: settings.threads,
        cores: settings.cores ?? cpuCores(),
        gracefulTimeoutMs: settings.gracefulTimeoutSeconds * 1000,
        restartIntervalMs: seconds(settings.restartIntervalSeconds),
        memoryLimitMb: settings.threadMemoryLimitMegabytes,
        logger: log,
        metrics: this.#metrics,
        once,
      });
      this.#pools = { kind: "connection", pool };
      // The socket must not be read here: only a socket that never started reading can move to a thread.
      this.#front = createNetServer({ pauseOnConnect: true }, (socket) => pool.accept(socket));
      return;
    }
    const pools = new Map<string, ThreadPool>();
    const placement = new Map<string, { pool: ThreadPool; index: number }>();
    for (const [group, apps] of groups) {
      const pool = new ThreadPool({
        workerData: workerDataOf(settings, group, apps),
        threads: settings.threads,
        concurrency: settings.concurrency,
        maximumRequests: settings.maximumRequests,
        requestTimeoutMs: seconds(settings.requestTimeoutSeconds),
        queueTimeoutMs: seconds(settings.queueTimeoutSeconds),
        queueCapacity: settings.listenBacklog,
        gracefulTimeoutMs: settings.gracefulTimeoutSeconds * 1000,
        restartIntervalMs: seconds(settings.restartIntervalSeconds),
        memoryLimitMb: settings.threadMemoryLimitMegabytes,
        logger: log,
        observer: this.#metrics,
        once,
      });
      pools.set(group, pool);
      apps.forEach((app, index) => placement.set(app.name, { pool, index }));
    }
    this.#pools = { kind: "request", pools };
    this.#front = createFrontServer({
      settings,
      poolOf: (app) => {
        const placed = placement.get(app.name);
        if (!placed) throw new Error(`no pool serves application ${app.name}`);
        return placed;
      },
      metrics: this.#metrics,
      log,
      closing: () => this.#draining,
    });
  }

  /** Every pool, as what they have in common. */
  get #allPools(): readonly (ThreadPool | ConnectionPool)[] {
    return this.#pools.kind === "connection" ? [this.#pools.pool] : [...this.#pools.pools.values()];
  }

  /** How requests reach the threads in this process. */
  get dispatch(): "connection" | "request" {
    return this.#pools.kind;
  }

  /**
   * Listens at once (requests wait in the queue while threads load), then loads every group.
   * With DEALT it listens on nothing: the connections come through adopt(), and the port is
   * the settings' own.
   */
  async start(listening?: (port: number) => void, source?: typeof DEALT): Promise<void> {
    if (source === DEALT) {
      this.#port = this.settings.port;
      // node:http starts checking headersTimeout and requestTimeout on "listening": a front
      // that never listens must still say so, or a client that never ends its head is never cut.
      this.#front.emit("listening");
    } else {
      this.#port = await listen(this.#front, this.settings);
    }
    listening?.(this.#port);
    this.#log.info({ port: this.#port, host: this.settings.host, threads: this.settings.threads, concurrency: this.settings.concurrency, dispatch: this.dispatch, groups: this.#allPools.map((p) => p.group) }, "listening");
    await Promise.all(this.#allPools.map((p) => p.start()));
    this.#starting = false;
    if (this.settings.reloadOnChange) {
      const entries = new Map([...groupsOf(this.settings.applications)].map(([group, apps]) => [group, apps.map((a) => a.entry)]));
      this.#stopWatching = await watchEntries(entries, (group) => {
        this.#log.info({ applicationGroup: group }, "entry changed: reloading the group's threads");
        void this.#allPools.find((p) => p.group === group)?.replaceAll("reload");
      });
    }
    const reasons = await this.readiness();
    if (reasons === null) this.#log.info("ready");
    else this.#log.error({ reasons }, "not ready");
  }

  /** A connection another process accepted (`serve`'s supervisor): served as one accepted here. */
  adopt(handle: ConnectionHandle): void {
    adoptConnection(this.#front, handle);
  }

  /** The apps' port, once listening (the kernel's pick when settings.port is 0). */
  get port(): number {
    return this.#port;
  }

  async readiness(): Promise<readonly string[] | null> {
    const reasons: string[] = [];
    if (this.#draining) reasons.push("the process is shutting down");
    if (this.#starting) reasons.push("application groups are loading");
    for (const pool of this.#allPools) {
      const state = pool.state;
      if (state.kind === "failed") reasons.push(state.error);
      else if (state.kind === "starting") reasons.push(`application group ${pool.group} is loading`);
    }
    return reasons.length === 0 ? null : reasons;
  }

  async metrics(): Promise<{ contentType: string; text: string }> {
    await this.#gather();
    return { contentType: this.#metrics.registry.contentType, text: await this.#metrics.registry.metrics() };
  }

  /** The metrics as data, for a supervisor that adds up its processes'. */
  async metricsJson(): Promise<unknown> {
    await this.#gather();
    return this.#metrics.registry.getMetricsAsJSON();
  }

  /** Connection-mode threads count their own requests: they report before a scrape. */
  async #gather(): Promise<void> {
    if (this.#pools.kind !== "connection") return;
    await this.#pools.pool.collect();
    this.#pools.pool.sample();
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
    const lingerMs = Math.min(LINGER_MS, gracefulMs / 2);
    if (this.#pools.kind === "connection") {
      // The threads own the connections: for the linger, each response closes its connection
      // and new ones are still served; then the port closes and the idle ones close.
      const pool = this.#pools.pool;
      const started = performance.now();
      pool.stopKeepAlive();
      await new Promise((resolve) => setTimeout(resolve, lingerMs));
      this.#front.close();
      await pool.closeConnections(Math.max(0, gracefulMs - (performance.now() - started)));
      pool.close();
      this.#once.close();
      this.#log.info("stopped");
      return;
    }
    const graceful = new Promise<"timeout">((resolve) => setTimeout(() => resolve("timeout"), gracefulMs).unref());
    // For a moment the port stays open while every response says Connection: close, so
    // keep-alive clients leave after an answer instead of racing the close of their idle
    // connection (closing the listener closes idle connections) with their next request.
    await new Promise((resolve) => setTimeout(resolve, lingerMs));
    // The pools stay open until the last connection has closed: a request that arrives on a
    // connection still open (its head was on the way, or its connection's last response
    // started before the drain and so did not say Connection: close) is served like any
    // other, with Connection: close, instead of being refused 503 after the pools drained.
    const front = this.#front as HttpServer;
    const closed = new Promise<"closed">((resolve) => front.close(() => resolve("closed")));
    const outcome = await Promise.race([closed, graceful]);
    if (outcome === "timeout") this.#log.warn("graceful timeout: answering what is left with 503");
    for (const pool of this.#pools.pools.values()) pool.close();
    front.closeAllConnections();
    this.#once.close();
    this.#log.info("stopped");
  }
}
