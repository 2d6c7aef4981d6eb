import { Watch, type KubeConfig } from "@kubernetes/client-node";
import { z } from "zod";

export type WatchEventType = "ADDED" | "MODIFIED" | "DELETED";

export interface EventWatch {
  stop(): void;
}

const versioned = z.object({ metadata: z.object({ resourceVersion: z.string() }) });
const gone = z.object({ kind: z.literal("Status"), code: z.literal(410) });

/**
 * Watches `path` and hands each event over with the time it arrived (`performance.now()`),
 * so a latency ends when the bench could first have known, not at the next poll. A watch the
 * server or client-node's inactivity timeout ends is resumed from the last resourceVersion
 * seen, so no event is lost; a resourceVersion too old (410) restarts from the current state.
 * Resolves once the first watch is established: anything created after that is seen.
 */
export async function watchEvents(
  kc: KubeConfig,
  path: string,
  onEvent: (type: WatchEventType, object: unknown, at: number) => void,
  onError: (error: unknown) => void,
): Promise<EventWatch> {
  const watch = new Watch(kc);
  let resourceVersion: string | undefined;
  let controller: AbortController | undefined;
  let stopped = false;
  let failures = 0;

  const connect = async (): Promise<void> => {
    controller = await watch.watch(
      path,
      { allowWatchBookmarks: true, resourceVersion },
      (type: string, object: unknown) => {
        const at = performance.now();
        failures = 0;
        if (type === "ERROR") {
          if (gone.safeParse(object).success) resourceVersion = undefined;
          return;
        }
        const parsed = versioned.safeParse(object);
        if (parsed.success) resourceVersion = parsed.data.metadata.resourceVersion;
        if (type === "ADDED" || type === "MODIFIED" || type === "DELETED") onEvent(type, object, at);
      },
      (error: unknown) => {
        if (stopped) return;
        if (error !== null && error !== undefined) failures++;
        if (failures > 20) return onError(new Error(`watch of ${path} keeps failing: ${String(error)}`));
        setTimeout(() => void connect().catch(onError), Math.min(100 * failures, 2_000));
      },
    );
  };
  await connect();
  return {
    stop: () => {
      stopped = true;
      controller?.abort();
    },
  };
}
