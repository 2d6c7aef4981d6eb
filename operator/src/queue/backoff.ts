/** Exponential backoff per failure count: base, 2*base, 4*base, ... capped at max. */
export interface Backoff {
  readonly baseMs: number;
  readonly maxMs: number;
}

export const DEFAULT_BACKOFF: Backoff = { baseMs: 500, maxMs: 60_000 };

export function backoffDelay(backoff: Backoff, failures: number): number {
  if (failures <= 0) return 0;
  // 2 ** 40 already exceeds any sane cap; clamping the exponent avoids Infinity.
  return Math.min(backoff.maxMs, backoff.baseMs * 2 ** Math.min(failures - 1, 40));
}
