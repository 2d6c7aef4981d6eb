import type { KubeConfig } from "@kubernetes/client-node";
import { z } from "zod";
import { measureCreation } from "./creation-phase.ts";
import { watchEvents } from "./event-watch.ts";
import type { BenchClients } from "./kube-clients.ts";
import type { PhaseResult } from "./result.ts";
import type { Progress } from "./teardown.ts";
import { deploymentBody } from "./workloads.ts";

const ownedReplicaSet = z.object({
  metadata: z.object({
    ownerReferences: z.array(z.object({ kind: z.string(), name: z.string(), controller: z.boolean().optional() })).optional(),
  }),
});

export interface DeploymentPhase {
  readonly kc: KubeConfig;
  readonly clients: BenchClients;
  readonly namespace: string;
  readonly n: number;
  readonly concurrency: number;
  readonly timeoutMs: number;
  readonly progress: Progress;
}

/** The yardstick: create a plain Deployment -> kube-controller-manager's ReplicaSet for it exists. */
export function measureDeployments(phase: DeploymentPhase): Promise<Omit<PhaseResult, "cpuSeconds">> {
  const { kc, namespace } = phase;
  return measureCreation({
    label: "Deployments have their ReplicaSet",
    n: phase.n,
    concurrency: phase.concurrency,
    timeoutMs: phase.timeoutMs,
    progress: phase.progress,
    milestones: ["replicaSet"] as const,
    watch: async (tracker, fail) => [
      await watchEvents(
        kc,
        `/apis/apps/v1/namespaces/${namespace}/replicasets`,
        (type, object, at) => {
          const replicaSet = ownedReplicaSet.safeParse(object);
          if (type === "DELETED" || !replicaSet.success) return;
          const owner = replicaSet.data.metadata.ownerReferences?.find((o) => o.kind === "Deployment" && o.controller === true);
          if (owner !== undefined) tracker.mark(owner.name, "replicaSet", at);
        },
        fail,
      ),
    ],
    create: async (name) => {
      await phase.clients.apps.createNamespacedDeployment({ namespace, body: deploymentBody(namespace, name) });
    },
  });
}
