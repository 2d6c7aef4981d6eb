import type { ThreadView } from "../../runtime/src/connections/place-connection.ts";

/** A thread as placement sees it, with its fields writable so a test can move its load. */
export type TestThread = { -readonly [K in keyof ThreadView]: ThreadView[K] } & { readonly name: string };

/** An idle thread without history, except for what `more` says. */
export function testThread(name: string, more: Partial<TestThread> = {}): TestThread {
  return { name, inflight: 0, connections: 0, busy: 0, fresh: 0, queued: 0, meanRequestMs: undefined, runningMs: 0, endedSinceHanded: false, ...more };
}
