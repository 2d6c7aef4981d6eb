import { z } from "zod";

/**
 * How a process brings requests to its threads. `connection`: each thread owns whole
 * connections and runs node's HTTP server on them (one application group per process);
 * `request`: the main thread parses every request and forwards it to its group's threads (what
 * several application groups in one process need). `auto` picks `connection` whenever it can.
 */
export const Dispatch = z.enum(["auto", "connection", "request"]);
export type Dispatch = z.infer<typeof Dispatch>;

export const DISPATCH_ENV = "PROCESSGROUP_DISPATCH";

/** The dispatch an image or a shell asked for (PROCESSGROUP_DISPATCH), or a clear error. */
export function dispatchFromEnv(env: Readonly<Record<string, string | undefined>>): Dispatch {
  const value = env[DISPATCH_ENV];
  if (value === undefined || value === "") return "auto";
  const parsed = Dispatch.safeParse(value);
  if (!parsed.success) throw new Error(`${DISPATCH_ENV}: must be one of auto, connection, request (got ${JSON.stringify(value)})`);
  return parsed.data;
}

/** Connection dispatch needs every app of the process in one application group. */
export function dispatchOf(asked: Dispatch, groups: number): "connection" | "request" {
  if (asked === "connection" && groups > 1) throw new Error(`${DISPATCH_ENV}=connection needs one application group per process; this process serves ${groups}`);
  return asked === "request" || groups > 1 ? "request" : "connection";
}
