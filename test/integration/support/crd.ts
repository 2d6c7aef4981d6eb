import {
  ApiextensionsV1Api,
  KubernetesObjectApi,
  loadYaml,
  PatchStrategy,
  type V1CustomResourceDefinition,
} from "@kubernetes/client-node";
import { readFile } from "node:fs/promises";
import { setTimeout as sleep } from "node:timers/promises";
import { kubeConfig } from "./control-plane.ts";

export const processGroupApi = { group: "processgroup.dev", version: "v1alpha1", plural: "processgroups" } as const;
export const crdFile = new URL("../../../crds/processgroup.dev_processgroups.yaml", import.meta.url);

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

let installed: Promise<V1CustomResourceDefinition> | undefined;

/**
 * Installs the generated CRD by server-side apply and waits until it is Established.
 * Idempotent: every test file may call it, in parallel, since one field manager applies
 * the same content.
 */
export function applyCrd(): Promise<V1CustomResourceDefinition> {
  installed ??= (async () => {
    const kc = kubeConfig();
    const crd = await readCrd();
    const objects = KubernetesObjectApi.makeApiClient(kc);
    await objects.patch(crd, undefined, undefined, "processgroup-tests", true, PatchStrategy.ServerSideApply);
    const extensions = kc.makeApiClient(ApiextensionsV1Api);
    const name = crd.metadata?.name ?? "processgroups.processgroup.dev";
    const deadline = Date.now() + 30_000;
    for (;;) {
      const current = await extensions.readCustomResourceDefinition({ name });
      if (isEstablished(current)) return current;
      if (Date.now() > deadline) throw new Error(`CRD ${name} not Established after 30s: ${JSON.stringify(current.status)}`);
      await sleep(50);
    }
  })();
  return installed;
}
