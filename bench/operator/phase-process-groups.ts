import type { KubeConfig } from "@kubernetes/client-node";
import { z } from "zod";
import { processGroupApi } from "../../test/support/process-group-crd.ts";
import { measureCreation } from "./creation-phase.ts";
import { watchEvents } from "./event-watch.ts";
import type { BenchClients } from "./kube-clients.ts";
import type { PhaseResult } from "./result.ts";
import type { Progress } from "./teardown.ts";
import { processGroupBody } from "./workloads.ts";

const named = z.object({ metadata: z.object({ name: z.string() }) });
const observedGroup = z.object({
  metadata: z.object({ name: z.string(), generation: z.number() }),
  status: z.object({ observedGeneration: z.number().optional() }).optional(),
});

export interface ProcessGroupPhase {
  readonly kc: KubeConfig;
  readonly clients: BenchClients;
  readonly namespace: string;
  readonly n: number;
  readonly concurrency: number;
  readonly timeoutMs: number;
  readonly progress: Progress;
}

/** Create -> the operator's Deployment exists and the group's status.observedGeneration == metadata.generation. */
export function measureProcessGroups(phase: ProcessGroupPhase): Promise<Omit<PhaseResult, "cpuSeconds">> {
  const { kc, namespace } = phase;
  return measureCreation({
    label: "ProcessGroups converged",
    n: phase.n,
    concurrency: phase.concurrency,
    timeoutMs: phase.timeoutMs,
    progress: phase.progress,
    milestones: ["deployment", "observedGeneration"] as const,
    watch: (tracker, fail) =>
      Promise.all([
        watchEvents(
          kc,
          `/apis/apps/v1/namespaces/${namespace}/deployments`,
          (type, object, at) => {
            const deployment = named.safeParse(object);
            if (type !== "DELETED" && deployment.success) tracker.mark(deployment.data.metadata.name, "deployment", at);
          },
          fail,
        ),
        watchEvents(
          kc,
          `/apis/${processGroupApi.group}/${processGroupApi.version}/namespaces/${namespace}/${processGroupApi.plural}`,
          (type, object, at) => {
            const group = observedGroup.safeParse(object);
            if (type === "DELETED" || !group.success) return;
            if (group.data.status?.observedGeneration === group.data.metadata.generation) tracker.mark(group.data.metadata.name, "observedGeneration", at);
          },
          fail,
        ),
      ]),
    create: async (name) => {
      await phase.clients.custom.createNamespacedCustomObject({ ...processGroupApi, namespace, body: processGroupBody(namespace, name) });
    },
  });
}
