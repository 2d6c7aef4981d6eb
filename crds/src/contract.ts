import { z } from "zod";
import { ENV } from "./env-names.ts";
import { ProcessGroupSpecFields } from "./process-group.ts";

// The operator-runtime contract: what the operator puts on the runtime container and the
// runtime reads at start. The two meet only here (docs/contract.md explains each variable).

export const RUNTIME_PORT = 8080;
export const ADMIN_PORT = 9090;
export const RUNTIME_CONTAINER = "runtime";
export const RUNTIME_COMMAND = ["processgroup", "run"] as const;

export { ENV } from "./env-names.ts";

/**
 * The part of the spec the runtime acts on, as JSON in PROCESSGROUP_CONFIG. `processes` is
 * deliberately absent: a scale must not change the pod template (and roll every pod); the
 * multiprocess flag it implies travels in PROCESSGROUP_MULTIPROCESS instead.
 */
export const RuntimeConfig = ProcessGroupSpecFields.pick({
  threads: true,
  concurrency: true,
  applications: true,
  displayName: true,
  preload: true,
  maximumRequests: true,
  requestTimeoutSeconds: true,
  queueTimeoutSeconds: true,
  gracefulTimeoutSeconds: true,
  shutdownTimeoutSeconds: true,
  restartIntervalSeconds: true,
  listenBacklog: true,
  threadMemoryLimitMegabytes: true,
}).extend({ root: z.string().regex(/^\//).meta({ description: "Application root." }) });
export type RuntimeConfig = z.output<typeof RuntimeConfig>;

const bool = z.enum(["true", "false"], { error: "must be true or false" }).transform((v) => v === "true");
const port = z.coerce.number({ error: "must be a port number" }).int().min(1).max(65535);

/** The runtime's view of its environment, parsed at the edge. */
export const RuntimeEnv = z.object({
  [ENV.name]: z.string().min(1, { error: "must be set" }),
  [ENV.namespace]: z.string().optional(),
  [ENV.podName]: z.string().optional(),
  [ENV.revision]: z.string().optional(),
  [ENV.uid]: z.string().optional(),
  [ENV.threads]: z.coerce.number({ error: "must be an integer >= 1" }).int().min(1, { error: "must be an integer >= 1" }),
  // Optional so that pods rendered before the field existed still start; it wins over the config.
  [ENV.concurrency]: z.coerce.number({ error: "must be an integer >= 1" }).int({ error: "must be an integer >= 1" }).min(1, { error: "must be an integer >= 1" }).optional(),
  [ENV.multiprocess]: bool,
  [ENV.multithread]: bool,
  [ENV.port]: port.default(RUNTIME_PORT),
  [ENV.adminPort]: port.default(ADMIN_PORT),
  [ENV.config]: z
    .string({ error: "must be set" })
    .transform((text, ctx) => {
      try {
        return JSON.parse(text) as unknown;
      } catch {
        ctx.addIssue({ code: "custom", message: "must be JSON" });
        return z.NEVER;
      }
    })
    .pipe(RuntimeConfig),
});
export type RuntimeEnv = z.output<typeof RuntimeEnv>;
