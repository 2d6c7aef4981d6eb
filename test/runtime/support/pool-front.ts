import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { pino } from "pino";
import { RuntimeConfig } from "../../../crds/index.ts";
import { createFrontServer } from "../../../runtime/src/http/front-server.ts";
import { RuntimeMetrics } from "../../../runtime/src/observability/metrics.ts";
import { DEFAULT_HTTP_LIMITS, type ServedApplication } from "../../../runtime/src/settings/runtime-settings.ts";
import { settingsOf } from "../../../runtime/src/settings/settings-of.ts";
import { ThreadPool } from "../../../runtime/src/threads/thread-pool.ts";
import { FIXTURES } from "./harness.ts";

export interface PoolFront {
  readonly url: string;
  stop(): Promise<void>;
}

/**
 * The real HTTP front and one ThreadPool per application group, wired by hand so a test can
 * give the pools options the process does not pass (yet), such as `concurrency`.
 */
export async function startPoolFront(config: Record<string, unknown>, concurrency: number): Promise<PoolFront> {
  const parsed = RuntimeConfig.parse({ root: FIXTURES, ...config });
  const settings = settingsOf({ processGroup: "test", multiprocess: false, multithread: parsed.threads > 1 }, parsed, {
    host: "127.0.0.1",
    port: 0,
    adminHost: "127.0.0.1",
    adminPort: 0,
    reusePort: false,
    reloadOnChange: false,
    accessLog: false,
    logLevel: "info",
    http: DEFAULT_HTTP_LIMITS,
  });
  const log = pino({ level: "silent" });
  const metrics = new RuntimeMetrics({ defaultMetrics: false });
  const placement = new Map<string, { pool: ThreadPool; index: number }>();
  const pools = new Map<string, ThreadPool>();
  const groups = Map.groupBy(settings.applications, (app) => app.applicationGroup);
  for (const [group, apps] of groups) {
    const pool = new ThreadPool({
      workerData: {
        processGroup: settings.processGroup,
        applicationGroup: group,
        applications: apps.map(({ name, mount, entry }) => ({ name, mount, entry })),
        preload: [],
        multiprocess: false,
        multithread: settings.multithread,
        threads: settings.threads,
      },
      threads: settings.threads,
      concurrency,
      maximumRequests: undefined,
      requestTimeoutMs: undefined,
      queueTimeoutMs: undefined,
      queueCapacity: settings.listenBacklog,
      gracefulTimeoutMs: 1_000,
      restartIntervalMs: undefined,
      memoryLimitMb: undefined,
      logger: log,
      observer: metrics,
    });
    pools.set(group, pool);
    apps.forEach((app, index) => placement.set(app.name, { pool, index }));
  }
  const front: Server = createFrontServer({
    settings,
    poolOf: (app: ServedApplication) => placement.get(app.name)!,
    metrics,
    log,
    closing: () => false,
  });
  await new Promise<void>((resolve) => front.listen({ host: "127.0.0.1", port: 0 }, resolve));
  await Promise.all([...pools.values()].map((p) => p.start()));
  return {
    url: `http://127.0.0.1:${(front.address() as AddressInfo).port}`,
    async stop() {
      for (const pool of pools.values()) pool.close();
      front.closeAllConnections();
      await new Promise((resolve) => front.close(resolve));
    },
  };
}
