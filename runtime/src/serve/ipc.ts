import type { ClaimDecision } from "../once/once-decision.ts";
import type { RuntimeSettings } from "../settings/runtime-settings.ts";

// Messages between a `serve` supervisor and each of its processes. `start` may carry the
// slot's listening socket, and a process that opened its own sends it with `listening`.

export type ToChild =
  | { readonly t: "start"; readonly settings: RuntimeSettings }
  | { readonly t: "readiness"; readonly q: number }
  | { readonly t: "metrics"; readonly q: number }
  /** The supervisor's answer to a once call (`ok` false: `value` is the error's message). */
  | { readonly t: "once-answer"; readonly q: number; readonly ok: boolean; readonly value: ClaimDecision | boolean | string | null };

export type FromChild =
  | { readonly t: "listening"; readonly port: number }
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
