import type { AddressInfo } from "node:net";
import { Writable } from "node:stream";
import { fileURLToPath } from "node:url";
import { pino } from "pino";
import { RuntimeConfig } from "../../../crds/index.ts";
import { createAdminServer } from "../../../runtime/src/admin/admin-server.ts";
import { ProcessRuntime } from "../../../runtime/src/process/process-runtime.ts";
import type { Dispatch } from "../../../runtime/src/settings/dispatch.ts";
import { DEFAULT_HTTP_LIMITS, type HttpLimits } from "../../../runtime/src/settings/runtime-settings.ts";
import { settingsOf } from "../../../runtime/src/settings/settings-of.ts";
export { until } from "../../support/until.ts";

export const FIXTURES = fileURLToPath(new URL("../fixtures/", import.meta.url));

export type { LogLine } from "../../support/json-lines.ts";
import type { LogLine } from "../../support/json-lines.ts";

export interface GroupOptions {
  readonly multiprocess?: boolean;
  readonly root?: string;
  readonly http?: Partial<HttpLimits>;
  readonly accessLog?: boolean;
  readonly reloadOnChange?: boolean;
  /** spec.env, as `serve` passes it. */
  readonly environment?: Readonly<Record<string, string>>;
  /** How requests reach the threads; a one-group process picks connection dispatch by itself. */
  readonly dispatch?: Dispatch;
}

export interface RunningGroup {
  readonly url: string;
  readonly adminUrl: string;
  readonly port: number;
  readonly logs: LogLine[];
  readonly runtime: ProcessRuntime;
  get(path: string, init?: RequestInit): Promise<Response>;
  json<T = Record<string, unknown>>(path: string, init?: RequestInit): Promise<T>;
  stop(): Promise<void>;
}

/**
 * One runtime process inside the test's own process (no spawn, so it starts fast), on
 * loopback ports the kernel picks, logging into `logs`.
 */
export async function startGroup(config: Record<string, unknown>, options: GroupOptions = {}): Promise<RunningGroup> {
  const parsed = RuntimeConfig.parse({ root: options.root ?? FIXTURES, ...config });
  const settings = settingsOf({ processGroup: "test", multiprocess: options.multiprocess ?? false, multithread: parsed.threads > 1 }, parsed, {
    host: "127.0.0.1",
    port: 0,
    adminHost: "127.0.0.1",
    adminPort: 0,
    reloadOnChange: options.reloadOnChange ?? false,
    accessLog: options.accessLog ?? false,
    logLevel: "debug",
    http: { ...DEFAULT_HTTP_LIMITS, ...options.http },
    dispatch: options.dispatch ?? "auto",
    onceTakeoverMs: 15_000,
  }, options.environment);
  const logs: LogLine[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      for (const line of chunk.toString().split("\n")) if (line) logs.push(JSON.parse(line) as LogLine);
      callback();
    },
  });
  const runtime = new ProcessRuntime(settings, pino({ level: "debug" }, sink), { defaultMetrics: false });
  const admin = createAdminServer(runtime);
  await new Promise<void>((resolve) => admin.listen({ host: "127.0.0.1", port: 0 }, resolve));
  await runtime.start();
  const url = `http://127.0.0.1:${runtime.port}`;
  const get = (path: string, init?: RequestInit) => fetch(`${url}${path}`, init);
  return {
    url,
    adminUrl: `http://127.0.0.1:${(admin.address() as AddressInfo).port}`,
    port: runtime.port,
    logs,
    runtime,
    get,
    json: async <T,>(path: string, init?: RequestInit) => (await (await get(path, init)).json()) as T,
    async stop() {
      await runtime.stop();
      admin.close();
      admin.closeAllConnections();
    },
  };
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));


/** Runs `body` against a group started for it, and stops the group whatever happens. */
export async function withGroup<T>(config: Record<string, unknown>, body: (group: RunningGroup) => Promise<T>, options: GroupOptions = {}): Promise<T> {
  const group = await startGroup(config, options);
  try {
    return await body(group);
  } finally {
    await group.stop();
  }
}
