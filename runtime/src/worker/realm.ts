import { registerHooks } from "node:module";
import type { WorkerData } from "../threads/protocol.ts";
import { installServerAdoption } from "./adopted-server.ts";
import type { Shared } from "./app-env.ts";
import { appProcessEnv } from "./app-process-env.ts";
import { bindShared } from "./processgroup-module.ts";

const MODULE_NAME = "processgroup";
const MODULE_URL = new URL("./processgroup-module.ts", import.meta.url).href;

/**
 * Makes a fresh worker thread what an app expects to start in, before any app code runs:
 * the flags and spec.env in process.env (this thread's own copy), the "processgroup" module,
 * and listen() on an http.Server adopted instead of binding a port.
 */
export function prepareRealm(data: WorkerData, shared: Shared): void {
  Object.assign(process.env, appProcessEnv(data));
  bindShared(shared);
  registerHooks({
    resolve: (specifier, context, nextResolve) => (specifier === MODULE_NAME ? { url: MODULE_URL, shortCircuit: true } : nextResolve(specifier, context)),
  });
  installServerAdoption();
}
