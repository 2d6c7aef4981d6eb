import type { Once, Shared } from "./app-env.ts";

// The module an app imports as "processgroup" (the worker resolves that name here), so a
// Node listener app, which gets no `env`, still reaches its group's store:
//   import { shared } from "processgroup";
//   app.post("/hits", async (req, res) => res.json(await shared.increment("hits")));

let bound: Shared | undefined;
let boundOnce: Once | undefined;

/** Called by the worker before it imports any app. */
export function bindShared(api: Shared, once: Once): void {
  bound = api;
  boundOnce = once;
}

const OUTSIDE = '"processgroup" serves only apps that the ProcessGroup runtime runs on its worker threads';

function store(): Shared {
  if (bound === undefined) throw new Error(OUTSIDE);
  return bound;
}

/** The store shared by all threads of this application group in this process (the same as env.shared). */
export const shared: Shared = {
  get: (key) => store().get(key),
  set: (key, value) => store().set(key, value),
  delete: (key) => store().delete(key),
  increment: (key, by) => store().increment(key, by),
  compareAndSet: (key, expected, value) => store().compareAndSet(key, expected, value),
};

/** Runs fn once across the whole group (the same as env.once): see docs/contract.md. */
export const once: Once = (key, fn, options) => (boundOnce === undefined ? Promise.reject(new Error(OUTSIDE)) : boundOnce(key, fn, options));
