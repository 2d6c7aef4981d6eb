import type { PoolThread } from "../threads/pool-thread.ts";
import type { OnceThread } from "./once-service.ts";

const links = new WeakMap<PoolThread, OnceThread>();

/** The one OnceThread of a pool's thread (the service tells threads apart by identity). */
export function onceThreadOf(thread: PoolThread): OnceThread {
  let link = links.get(thread);
  if (!link) {
    link = {
      threadId: thread.threadId,
      send: (message) => thread.send(message),
      onExit: (listener) => void thread.worker.once("exit", listener),
    };
    links.set(thread, link);
  }
  return link;
}
