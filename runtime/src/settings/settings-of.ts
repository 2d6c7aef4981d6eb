import { isAbsolute, resolve } from "node:path";
import { applicationGroupOf, type RuntimeConfig } from "../../../crds/index.ts";
import { DEFAULT_TAKEOVER_SECONDS } from "../once/once-backend.ts";
import { DEFAULT_HTTP_LIMITS, type LocalOptions, type RuntimeSettings } from "./runtime-settings.ts";

export const DEFAULT_LOCAL_OPTIONS: LocalOptions = {
  host: "0.0.0.0",
  port: 8080,
  adminHost: "0.0.0.0",
  adminPort: 9090,
  reloadOnChange: true,
  accessLog: false,
  logLevel: "info",
  http: DEFAULT_HTTP_LIMITS,
  dispatch: "auto",
  onceTakeoverMs: DEFAULT_TAKEOVER_SECONDS * 1000,
};

export interface GroupIdentity {
  readonly processGroup: string;
  readonly multiprocess: boolean;
  readonly multithread: boolean;
}

function underRoot(root: string, path: string): string {
  return isAbsolute(path) ? path : resolve(root, path);
}

/** The one place a RuntimeConfig becomes RuntimeSettings: entries and preloads resolved against the root. */
export function settingsOf(identity: GroupIdentity, config: RuntimeConfig, local: LocalOptions, environment: Readonly<Record<string, string>> = {}): RuntimeSettings {
  return {
    ...identity,
    threads: config.threads,
    concurrency: config.concurrency,
    applications: config.applications.map((app) => ({
      name: app.name,
      mount: app.mount,
      entry: underRoot(config.root, app.entry),
      applicationGroup: applicationGroupOf(app),
      requires: app.requires,
    })),
    preload: config.preload.map((p) => ({ module: underRoot(config.root, p.module), applicationGroup: p.applicationGroup })),
    displayName: config.displayName.replaceAll("%{GROUP}", identity.processGroup),
    maximumRequests: config.maximumRequests || undefined,
    requestTimeoutSeconds: config.requestTimeoutSeconds,
    queueTimeoutSeconds: config.queueTimeoutSeconds,
    gracefulTimeoutSeconds: config.gracefulTimeoutSeconds,
    shutdownTimeoutSeconds: config.shutdownTimeoutSeconds,
    restartIntervalSeconds: config.restartIntervalSeconds,
    listenBacklog: config.listenBacklog,
    threadMemoryLimitMegabytes: config.threadMemoryLimitMegabytes,
    environment,
    ...local,
  };
}
