import type { ThreadView } from "../../runtime/src/connections/place-connection.ts";

/** A thread as placement sees it, with its fields writable so a test can move its load. */
export type TestThread = { -readonly [K in keyof ThreadView]: ThreadView[K] } & { readonly name: string };

/** An idle thread that has served a while (not cold), with no recent history except what `more` says. */
export function testThread(name: string, more: Partial<TestThread> = {}): TestThread {
  return { name, inflight: 0, connections: 0, busy: 0, fresh: 0, queued: 0, meanRequestMs: undefined, runningMs: 0, endedSinceHanded: false, served: 1_000, ...more };
}
