import type { FromWorker, ToWorker } from "./protocol.ts";
import type { SharedStore } from "./shared-store.ts";

/** Applies a thread's env.shared operation to the group's store, atomically, and says how it went. */
export function sharedReply(store: SharedStore, message: Extract<FromWorker, { t: "shared" }>): ToWorker {
  try {
    return { t: "shared-result", call: message.call, ok: true, value: store.apply(message.op) };
  } catch (error) {
    return { t: "shared-result", call: message.call, ok: false, value: (error as Error).message };
  }
}
