/**
 * How a process brings requests to its threads. `connection`: each thread owns whole
 * connections and runs node's HTTP server on them (one application group per process);
 * `request`: the main thread parses every request and forwards it to its group's threads (what
 * several application groups in one process need). `auto` picks `connection` whenever it can.
 */
export const DISPATCHES = ["auto", "connection", "request"] as const;
export type Dispatch = (typeof DISPATCHES)[number];

export const DISPATCH_ENV = "PROCESSGROUP_DISPATCH";

/** Connection dispatch needs every app of the process in one application group. */
export function dispatchOf(asked: Dispatch, groups: number): "connection" | "request" {
  if (asked === "connection" && groups > 1) throw new Error(`${DISPATCH_ENV}=connection needs one application group per process; this process serves ${groups}`);
  return asked === "request" || groups > 1 ? "request" : "connection";
}
