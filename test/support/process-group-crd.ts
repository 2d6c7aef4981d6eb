import {
  ApiextensionsV1Api,
  KubernetesObjectApi,
  loadYaml,
  PatchStrategy,
  type KubeConfig,
  type V1CustomResourceDefinition,
} from "@kubernetes/client-node";
import { readFile } from "node:fs/promises";
import { setTimeout as sleep } from "node:timers/promises";

export const processGroupApi = { group: "processgroup.dev", version: "v1alpha1", plural: "processgroups" } as const;
export const crdFile = new URL("../../crds/processgroup.dev_processgroups.yaml", import.meta.url);

/**
 * Reads the generated CRD as the client library's typed model. A plain parsed object would
 * not do: the library serializes by its model's property names, so keys such as `default`
 * and `x-kubernetes-validations` of a plain object are silently dropped from the request.
 */
export async function readCrd(): Promise<V1CustomResourceDefinition> {
  return loadYaml<V1CustomResourceDefinition>(await readFile(crdFile, "utf8"));
}

function isEstablished(crd: V1CustomResourceDefinition): boolean {
  const conditions = crd.status?.conditions ?? [];
  return ["Established", "NamesAccepted"].every((type) => conditions.some((c) => c.type === type && c.status === "True"));
}

/** Installs the generated CRD by server-side apply under `fieldManager` and waits until it is Established. */
export async function installCrd(kc: KubeConfig, fieldManager: string, timeoutMs = 30_000): Promise<V1CustomResourceDefinition> {
  const crd = await readCrd();
  const objects = KubernetesObjectApi.makeApiClient(kc);
  await objects.patch(crd, undefined, undefined, fieldManager, true, PatchStrategy.ServerSideApply);
  const extensions = kc.makeApiClient(ApiextensionsV1Api);
  const name = crd.metadata?.name ?? "processgroups.processgroup.dev";
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const current = await extensions.readCustomResourceDefinition({ name });
    if (isEstablished(current)) return current;
    if (Date.now() > deadline) throw new Error(`CRD ${name} not Established after ${timeoutMs / 1000}s: ${JSON.stringify(current.status)}`);
    await sleep(50);
  }
}
