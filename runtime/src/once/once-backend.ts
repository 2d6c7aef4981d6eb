import type { ClaimDecision } from "./once-decision.ts";

/**
 * Where a process asks who runs a once() key: itself (a process on its own), its `serve`
 * supervisor, or a Lease in the cluster. Each call is atomic at the coordinator.
 */
export interface OnceBackend {
  /** Takes the run when the rule allows (`decideClaim`), atomically. */
  claim(key: string, holder: string): Promise<ClaimDecision>;
  /** The holder is still running it; false when it no longer holds it. */
  renew(key: string, holder: string): Promise<boolean>;
  /** The run ended (error: it failed); later claimants are told it is done. */
  finish(key: string, holder: string, error: string | undefined): Promise<void>;
  /** The holder gave up without finishing (its thread died): another may run it at once. */
  release(key: string, holder: string): Promise<void>;
  /** How long a holder that stops renewing keeps the run before another takes it over. */
  readonly takeoverMs: number;
}

/** Default takeover time; `PROCESSGROUP_ONCE_TAKEOVER_SECONDS` changes it. */
export const DEFAULT_TAKEOVER_SECONDS = 15;
export const TAKEOVER_ENV = "PROCESSGROUP_ONCE_TAKEOVER_SECONDS";

// Parsed where the other settings are (`run` from its env, `serve` from its environment), so
// a bad value is one line at start, and a process handed its settings parses nothing.

/** The takeover time an image or a shell asked for (PROCESSGROUP_ONCE_TAKEOVER_SECONDS), or why it is not one. */
export function takeoverFromEnv(env: Readonly<Record<string, string | undefined>>): { readonly ok: true; readonly ms: number } | { readonly ok: false; readonly message: string } {
  const raw = env[TAKEOVER_ENV];
  if (raw === undefined || raw === "") return { ok: true, ms: DEFAULT_TAKEOVER_SECONDS * 1000 };
  const seconds = Number(raw);
  if (!Number.isFinite(seconds) || seconds <= 0) return { ok: false, message: `must be a number of seconds > 0 (got ${JSON.stringify(raw)})` };
  return { ok: true, ms: Math.round(seconds * 1000) };
}
