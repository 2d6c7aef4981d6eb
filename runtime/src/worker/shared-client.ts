import type { MessagePort } from "node:worker_threads";
import { PendingReplies } from "../threads/pending-replies.ts";
import type { SharedOperation } from "../threads/shared-store.ts";
import type { Shared } from "./app-env.ts";

export interface SharedClient {
  readonly api: Shared;
  /** Resolves the call the main thread answered. */
  settle(call: number, ok: boolean, value: unknown): void;
}

/** env.shared inside a worker: each operation is a message the main thread applies atomically. */
export function sharedClient(port: MessagePort): SharedClient {
  const replies = new PendingReplies();
  const call = (op: SharedOperation) => replies.ask((id) => port.postMessage({ t: "shared", call: id, op }));
  const api: Shared = {
    get: (key) => call({ op: "get", key }),
    set: async (key, value) => void (await call({ op: "set", key, value })),
    delete: async (key) => (await call({ op: "delete", key })) as boolean,
    increment: async (key, by = 1) => (await call({ op: "increment", key, by })) as number,
    compareAndSet: async (key, expected, value) => (await call({ op: "compareAndSet", key, expected, value })) as boolean,
  };
  return {
    api,
    settle: (id, ok, value) => replies.settle(id, ok, value),
  };
}
