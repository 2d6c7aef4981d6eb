import type { KubernetesObject } from "@kubernetes/client-node";
import { KIND } from "../../../crds/index.ts";
import { NAME_LABEL } from "../render/labels.ts";

/** The queue key of a namespaced object: "namespace/name". */
export function keyOf(namespace: string, name: string): string {
  return `${namespace}/${name}`;
}

export function splitKey(key: string): { namespace: string; name: string } {
  const slash = key.indexOf("/");
  return slash < 0 ? { namespace: "", name: key } : { namespace: key.slice(0, slash), name: key.slice(slash + 1) };
}

/** The ProcessGroup a child belongs to: its controller owner reference, else our name label. */
export function ownerKeyOf(child: KubernetesObject): string | undefined {
  const namespace = child.metadata?.namespace ?? "";
  const owner = child.metadata?.ownerReferences?.find((ref) => ref.controller === true && ref.kind === KIND);
  if (owner) return keyOf(namespace, owner.name);
  const label = child.metadata?.labels?.[NAME_LABEL];
  return label ? keyOf(namespace, label) : undefined;
}
