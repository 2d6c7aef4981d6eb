import type { V1CustomResourceDefinition } from "@kubernetes/client-node";
import { installCrd } from "../../support/process-group-crd.ts";
import { kubeConfig } from "./control-plane.ts";

export { crdFile, processGroupApi, readCrd } from "../../support/process-group-crd.ts";

let installed: Promise<V1CustomResourceDefinition> | undefined;

/**
 * Installs the generated CRD on the test control plane and waits until it is Established.
 * Idempotent: every test file may call it, in parallel, since one field manager applies
 * the same content.
 */
export function applyCrd(): Promise<V1CustomResourceDefinition> {
  installed ??= installCrd(kubeConfig(), "processgroup-tests");
  return installed;
}
