import { pathToFileURL } from "node:url";
import { threadId } from "node:worker_threads";
import type { WorkerData } from "../threads/protocol.ts";
import type { AppEnv, Once, Shared } from "./app-env.ts";
import type { AppHandler } from "./app-handler.ts";
import { loadApp } from "./app-loader.ts";
import { prepareRealm } from "./realm.ts";

export interface LoadedApp {
  readonly handler: AppHandler;
  readonly base: Omit<AppEnv, "pathInfo">;
}

/** Imports the group's preloads, then each app's entry, once per thread: the group's apps share this realm. */
export async function loadApps(data: WorkerData, shared: Shared, once: Once): Promise<LoadedApp[]> {
  prepareRealm(data, shared, once);
  for (const module of data.preload) await import(pathToFileURL(module).href);
  const apps: LoadedApp[] = [];
  for (const app of data.applications) {
    apps.push({
      handler: await loadApp(app.entry),
      base: {
        processGroup: data.processGroup,
        applicationGroup: data.applicationGroup,
        application: app.name,
        mount: app.mount,
        multiprocess: data.multiprocess,
        multithread: data.multithread,
        threads: data.threads,
        concurrency: data.concurrency,
        threadId,
        pid: process.pid,
        shared,
        once,
      },
    });
  }
  return apps;
}

export function messageOf(error: unknown): string {
  return error instanceof Error ? (error.stack ?? error.message) : String(error);
}
