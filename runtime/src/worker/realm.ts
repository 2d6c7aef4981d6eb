import { registerHooks } from "node:module";
import type { WorkerData } from "../threads/protocol.ts";
import { installServerAdoption } from "./adopted-server.ts";
import type { Once, Shared } from "./app-env.ts";
import { appProcessEnv } from "./app-process-env.ts";
import { recordLoaded } from "./load-error.ts";
import { bindShared } from "./processgroup-module.ts";

const MODULE_NAME = "processgroup";
const MODULE_URL = new URL("./processgroup-module.ts", import.meta.url).href;

/**
 * Makes a fresh worker thread what an app expects to start in, before any app code runs:
 * the flags and spec.env in process.env (this thread's own copy), the "processgroup" module,
 * listen() on an http.Server adopted instead of binding a port, and a record of the modules
 * loaded, to say where a syntax error is.
 */
export function prepareRealm(data: WorkerData, shared: Shared, once: Once): void {
  Object.assign(process.env, appProcessEnv(data));
  bindShared(shared, once);
  registerHooks({
    resolve: (specifier, context, nextResolve) => (specifier === MODULE_NAME ? { url: MODULE_URL, shortCircuit: true } : nextResolve(specifier, context)),
    load: (url, context, nextLoad) => {
      recordLoaded(url);
      return nextLoad(url, context);
    },
  });
  installServerAdoption();
}
