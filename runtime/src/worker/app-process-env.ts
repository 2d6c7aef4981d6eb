import { ENV } from "../../../crds/src/env-names.ts";
import type { WorkerData } from "../threads/protocol.ts";

/** The variables the runtime adds to an app's process.env; the operator's contract has the rest. */
export const APP_ENV = {
  processGroup: "PROCESSGROUP_PROCESS_GROUP",
  applicationGroup: "PROCESSGROUP_APPLICATION_GROUP",
} as const;

/**
 * What every app finds in process.env, whatever its kind and however the runtime was started:
 * spec.env (under `serve`; a pod already has it), then the flags by mod_wsgi's rule, which
 * spec.env cannot shadow (the PROCESSGROUP_ prefix is reserved).
 */
export function appProcessEnv(data: WorkerData): Record<string, string> {
  return {
    ...data.environment,
    [ENV.multiprocess]: String(data.multiprocess),
    [ENV.multithread]: String(data.multithread),
    [ENV.threads]: String(data.threads),
    [ENV.concurrency]: String(data.concurrency),
    [APP_ENV.processGroup]: data.processGroup,
    [APP_ENV.applicationGroup]: data.applicationGroup,
  };
}
