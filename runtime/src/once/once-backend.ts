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

/** The takeover time from the environment, with a clear error for a bad value. */
export function takeoverMsFrom(env: NodeJS.ProcessEnv): number {
  const raw = env[TAKEOVER_ENV];
  if (raw === undefined || raw === "") return DEFAULT_TAKEOVER_SECONDS * 1000;
  const seconds = Number(raw);
  if (!Number.isFinite(seconds) || seconds <= 0) throw new Error(`${TAKEOVER_ENV}: must be a number of seconds > 0, got ${JSON.stringify(raw)}`);
  return Math.round(seconds * 1000);
}
