// The rule every coordinator of env.once() applies (a process's own table, the `serve`
// supervisor's, a Lease in a cluster), as pure functions of what the record says and the time.

/** What a coordinator knows about one key. */
export interface OnceRecord {
  /** Who runs it now; undefined once its runner let go (its thread or process died). */
  readonly holder: string | undefined;
  /** When the holder last said it is still running (ms, the coordinator's clock). */
  readonly renewedAt: number;
  /** Present once a run finished: failed runs are finished too, with their error. */
  readonly done?: { readonly error?: string | undefined } | undefined;
}

export type ClaimDecision =
  /** Run fn: nobody did (takeover: somebody began and let go or stopped renewing). */
  | { readonly kind: "run"; readonly takeover: boolean }
  /** Somebody runs it and renewed within the takeover time: ask again at `retryAt`. */
  | { readonly kind: "held"; readonly holder: string; readonly retryAt: number }
  | { readonly kind: "done"; readonly error?: string | undefined };

/** Whether a claimant may run the key now, given the record and the takeover time. */
export function decideClaim(record: OnceRecord | undefined, now: number, takeoverMs: number): ClaimDecision {
  if (record === undefined) return { kind: "run", takeover: false };
  if (record.done) return { kind: "done", error: record.done.error };
  if (record.holder === undefined) return { kind: "run", takeover: true };
  const expiresAt = record.renewedAt + takeoverMs;
  if (now >= expiresAt) return { kind: "run", takeover: true };
  return { kind: "held", holder: record.holder, retryAt: expiresAt };
}

/** The record after `holder` won a claim. */
export function claimed(holder: string, now: number): OnceRecord {
  return { holder, renewedAt: now };
}

/** The record after a renew, or undefined when `holder` no longer runs it (taken over, or finished). */
export function renewed(record: OnceRecord | undefined, holder: string, now: number): OnceRecord | undefined {
  if (record === undefined || record.done || record.holder !== holder) return undefined;
  return { holder, renewedAt: now };
}

/**
 * The record after a run finished. Whoever finishes records it, even a runner that was taken
 * over meanwhile: the work is done either way, and later claimants must not start it again.
 */
export function finished(record: OnceRecord | undefined, holder: string, now: number, error: string | undefined): OnceRecord {
  return { holder: record?.holder ?? holder, renewedAt: now, done: error === undefined ? {} : { error } };
}

/** The record after `holder` let go without finishing, or undefined when it was not the holder (nothing changes). */
export function released(record: OnceRecord | undefined, holder: string): OnceRecord | undefined {
  if (record === undefined || record.done || record.holder !== holder) return undefined;
  return { holder: undefined, renewedAt: record.renewedAt };
}

/** How often a runner renews: three times within the takeover time, so one late renewal costs nothing. */
export function renewIntervalMs(takeoverMs: number): number {
  return Math.max(50, Math.floor(takeoverMs / 3));
}

/** How long a claimant that was told "held" waits before asking again. */
export function retryDelayMs(decision: Extract<ClaimDecision, { kind: "held" }>, now: number, takeoverMs: number): number {
  const poll = Math.min(2_000, Math.max(100, Math.floor(takeoverMs / 5)));
  return Math.max(10, Math.min(poll, decision.retryAt - now));
}
