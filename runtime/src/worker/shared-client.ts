import type { MessagePort } from "node:worker_threads";
import type { SharedOperation } from "../threads/shared-store.ts";
import type { Shared } from "./app-env.ts";

export interface SharedClient {
  readonly api: Shared;
  /** Resolves the call the main thread answered. */
  settle(call: number, ok: boolean, value: unknown): void;
}

/** env.shared inside a worker: each operation is a message the main thread applies atomically. */
export function sharedClient(port: MessagePort): SharedClient {
  let nextCall = 1;
  const pending = new Map<number, { resolve(value: unknown): void; reject(error: Error): void }>();
  const call = (op: SharedOperation) =>
    new Promise<unknown>((resolve, reject) => {
      const id = nextCall++;
      pending.set(id, { resolve, reject });
      port.postMessage({ t: "shared", call: id, op });
    });
  const api: Shared = {
    get: (key) => call({ op: "get", key }),
    set: async (key, value) => void (await call({ op: "set", key, value })),
    delete: async (key) => (await call({ op: "delete", key })) as boolean,
    increment: async (key, by = 1) => (await call({ op: "increment", key, by })) as number,
    compareAndSet: async (key, expected, value) => (await call({ op: "compareAndSet", key, expected, value })) as boolean,
  };
  return {
    api,
    settle(id, ok, value) {
      const waiter = pending.get(id);
      pending.delete(id);
      if (ok) waiter?.resolve(value);
      else waiter?.reject(new Error(String(value)));
    },
  };
}
