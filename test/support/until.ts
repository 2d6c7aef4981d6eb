import { setTimeout as sleep } from "node:timers/promises";

/** What `until` throws when the time is up (and only then). */
export class TimedOut extends Error {}

/** For `.catch`: what to settle with when `until` timed out; any other failure stays a failure. */
export function unlessTimedOut<T>(value: T): (error: unknown) => T {
  return (error) => {
    if (error instanceof TimedOut) return value;
    throw error;
  };
}

/**
 * Polls `probe` until it returns a value other than undefined, or fails after `timeoutMs`
 * naming `what`: controllers converge and threads get replaced; neither answers, so tests wait
 * for what they expect instead of sleeping.
 */
export async function until<T>(what: string, timeoutMs: number, probe: () => Promise<T | undefined> | T | undefined): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new TimedOut(`timed out after ${timeoutMs / 1000}s waiting for ${what}`);
    await sleep(50);
  }
}
