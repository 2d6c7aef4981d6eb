import { setTimeout as sleep } from "node:timers/promises";
import { z } from "zod";
import { processGroupApi } from "../../test/support/process-group-crd.ts";
import type { BenchClients } from "./kube-clients.ts";
import type { Progress } from "./teardown.ts";

// Polling is fine here: these are preconditions between phases, not measurements.
const pollMs = 3_000;
const progressEveryMs = 10_000;

const groupList = z.object({
  items: z.array(z.object({ status: z.object({ conditions: z.array(z.object({ type: z.string(), status: z.string() })).optional() }).optional() })),
});

async function waitForCount(what: string, n: number, timeoutMs: number, progress: Progress, count: () => Promise<number>): Promise<boolean> {
  const deadline = performance.now() + timeoutMs;
  let lastProgress = performance.now();
  for (;;) {
    const ready = await count();
    if (ready >= n) return true;
    if (performance.now() > deadline) {
      progress(`only ${ready}/${n} ${what} after ${timeoutMs / 1000} s; going on`);
      return false;
    }
    if (performance.now() - lastProgress >= progressEveryMs) {
      progress(`${ready}/${n} ${what}`);
      lastProgress = performance.now();
    }
    await sleep(pollMs);
  }
}

/**
 * Every group Ready: its pod scheduled on a kwok node and reported, the Deployment's status
 * and then the group's status caught up. Only then is the operator at N and the cluster quiet.
 */
export function waitGroupsReady(clients: BenchClients, namespace: string, n: number, timeoutMs: number, progress: Progress): Promise<boolean> {
  return waitForCount("ProcessGroups Ready", n, timeoutMs, progress, async () => {
    const list = groupList.parse(await clients.custom.listNamespacedCustomObject({ ...processGroupApi, namespace }));
    return list.items.filter((g) => g.status?.conditions?.some((c) => c.type === "Ready" && c.status === "True")).length;
  });
}

/** Every yardstick Deployment available, so kube-controller-manager, the scheduler and kwok are idle again. */
export function waitDeploymentsAvailable(clients: BenchClients, namespace: string, n: number, timeoutMs: number, progress: Progress): Promise<boolean> {
  return waitForCount("Deployments available", n, timeoutMs, progress, async () => {
    const list = await clients.apps.listNamespacedDeployment({ namespace });
    return list.items.filter((d) => (d.status?.availableReplicas ?? 0) >= (d.spec?.replicas ?? 1)).length;
  });
}
