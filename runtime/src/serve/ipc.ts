import type { ClaimDecision } from "../once/once-decision.ts";
import type { RuntimeSettings } from "../settings/runtime-settings.ts";

// Messages between a `serve` supervisor and each of its processes. The supervisor accepts
// every connection and deals it to a process (`connection`, with the connection's handle);
// the process says it has it (`adopted`), and only then does the supervisor close its copy.

export type ToChild =
  | { readonly t: "start"; readonly settings: RuntimeSettings }
  /** A connection the supervisor accepted, for this process to serve (its handle comes with the message). */
  | { readonly t: "connection"; readonly id: number }
  | { readonly t: "readiness"; readonly q: number }
  | { readonly t: "metrics"; readonly q: number }
  /** The supervisor's answer to a once call (`ok` false: `value` is the error's message). */
  | { readonly t: "once-answer"; readonly q: number; readonly ok: boolean; readonly value: ClaimDecision | boolean | string | null };

export type FromChild =
  /** The process takes connections: its runtime is up (its groups may still be loading). */
  | { readonly t: "listening"; readonly port: number }
  /** The process has connection `id` and serves it. */
  | { readonly t: "adopted"; readonly id: number }
  /** Every application group has loaded, or failed to (then `reasons` says why it is not ready). */
  | { readonly t: "started"; readonly reasons: readonly string[] | null }
  /** A signal started the process's drain. */
  | { readonly t: "draining"; readonly signal: NodeJS.Signals }
  | { readonly t: "readiness"; readonly q: number; readonly reasons: readonly string[] | null }
  | { readonly t: "metrics"; readonly q: number; readonly metrics: unknown }
  /** env.once(): the supervisor coordinates its processes (OnceBackend's calls). */
  | OnceCall;

export type OnceCall = { readonly t: "once"; readonly q: number; readonly key: string; readonly holder: string } & (
  | { readonly op: "claim" | "renew" | "release" }
  | { readonly op: "finish"; readonly error?: string | undefined }
);
