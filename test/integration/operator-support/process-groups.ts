import { AppsV1Api, CoreV1Api, CustomObjectsApi, NetworkingV1Api, PatchStrategy, setHeaderOptions, type CoreV1Event, type V1Deployment } from "@kubernetes/client-node";
import { z } from "zod";
import { ProcessGroupStatus, type ProcessGroupSpecInput } from "../../../crds/index.ts";
import { kubeConfig } from "../support/control-plane.ts";
import { processGroupApi } from "../support/crd.ts";
import { until } from "../../support/until.ts";

/** Direct clients for asserting on what the operator did (never the operator's own). */
export function clients() {
  const kc = kubeConfig();
  return { apps: kc.makeApiClient(AppsV1Api), core: kc.makeApiClient(CoreV1Api), custom: kc.makeApiClient(CustomObjectsApi), networking: kc.makeApiClient(NetworkingV1Api) };
}

export const TEST_IMAGE = "registry.invalid/apps/hello:1";

/** A spec with one app and an image, merged with the given fields. */
export function specOf(fields: Partial<ProcessGroupSpecInput> = {}): ProcessGroupSpecInput {
  return { image: TEST_IMAGE, applications: [{ name: "hello", mount: "/", entry: "hello.mjs" }], ...fields };
}

export async function createGroup(namespace: string, name: string, spec: ProcessGroupSpecInput): Promise<void> {
  await clients().custom.createNamespacedCustomObject({
    ...processGroupApi,
    namespace,
    body: { apiVersion: "processgroup.dev/v1alpha1", kind: "ProcessGroup", metadata: { name, namespace }, spec },
  });
}

/** A JSON merge patch of the ProcessGroup's spec. */
export async function patchSpec(namespace: string, name: string, spec: Record<string, unknown>): Promise<void> {
  await clients().custom.patchNamespacedCustomObject({ ...processGroupApi, namespace, name, body: { spec } }, setHeaderOptions("Content-Type", PatchStrategy.MergePatch));
}

const Observed = z.object({
  metadata: z.object({ generation: z.number(), uid: z.string() }),
  status: ProcessGroupStatus.optional(),
});
export type ObservedGroup = z.output<typeof Observed>;

export async function readGroup(namespace: string, name: string): Promise<ObservedGroup> {
  return Observed.parse(await clients().custom.getNamespacedCustomObject({ ...processGroupApi, namespace, name }));
}

export async function readDeployment(namespace: string, name: string): Promise<V1Deployment | undefined> {
  try {
    return await clients().apps.readNamespacedDeployment({ name, namespace });
  } catch {
    return undefined;
  }
}

/** Waits until the Deployment exists and satisfies `check`. */
export function deploymentWhere(namespace: string, name: string, what: string, check: (d: V1Deployment) => boolean, timeoutMs = 30_000): Promise<V1Deployment> {
  return until(`Deployment ${namespace}/${name}: ${what}`, timeoutMs, async () => {
    const d = await readDeployment(namespace, name);
    return d && check(d) ? d : undefined;
  });
}

/** Waits until the group's status satisfies `check`. */
export function groupWhere(namespace: string, name: string, what: string, check: (g: ObservedGroup) => boolean, timeoutMs = 30_000): Promise<ObservedGroup> {
  return until(`ProcessGroup ${namespace}/${name}: ${what}`, timeoutMs, async () => {
    const g = await readGroup(namespace, name);
    return check(g) ? g : undefined;
  });
}

export function conditionOf(group: ObservedGroup, type: string) {
  return group.status?.conditions?.find((c) => c.type === type);
}

export function envOf(deployment: V1Deployment): Record<string, string | undefined> {
  const container = deployment.spec?.template?.spec?.containers?.[0];
  return Object.fromEntries((container?.env ?? []).map((e) => [e.name, e.value]));
}

export async function eventsFor(namespace: string, name: string): Promise<CoreV1Event[]> {
  const list = await clients().core.listNamespacedEvent({ namespace, fieldSelector: `involvedObject.name=${name},involvedObject.kind=ProcessGroup` });
  return list.items;
}

/** Waits for an event on the group with this reason (and type). */
export function eventWhere(namespace: string, name: string, type: "Normal" | "Warning", reason: string, timeoutMs = 30_000): Promise<CoreV1Event> {
  return until(`a ${type} event ${reason} on ${namespace}/${name}`, timeoutMs, async () =>
    (await eventsFor(namespace, name)).find((e) => e.type === type && e.reason === reason),
  );
}
