import type { KubernetesObject, V1Deployment } from "@kubernetes/client-node";
import { APPLIED_HASH_ANNOTATION, withAppliedHash } from "./applied-hash.ts";
import type { ChildKind } from "./children.ts";
import { covers } from "./covers.ts";

/** What an apply did to a child, for events. Drift means the spec had not changed: someone else had changed the object. */
export type ChildAction =
  | { readonly action: "created"; readonly kind: string; readonly name: string }
  | { readonly action: "scaled"; readonly kind: string; readonly name: string; readonly from: number; readonly to: number; readonly drift: boolean }
  | { readonly action: "updated"; readonly kind: string; readonly name: string; readonly rolled: boolean; readonly drift: boolean }
  | { readonly action: "deleted"; readonly kind: string; readonly name: string };

export interface Ensured<T> {
  readonly object: T;
  readonly action?: ChildAction | undefined;
}

function hashOf(object: KubernetesObject | undefined): string | undefined {
  return object?.metadata?.annotations?.[APPLIED_HASH_ANNOTATION];
}

function replicasOf(object: KubernetesObject): number | undefined {
  return (object as V1Deployment).spec?.replicas;
}

function describe(kind: string, want: KubernetesObject, live: KubernetesObject | undefined): ChildAction {
  const name = want.metadata?.name ?? "";
  if (!live) return { action: "created", kind, name };
  const drift = hashOf(live) === hashOf(want);
  const liveReplicas = replicasOf(live);
  const wantReplicas = replicasOf(want);
  if (kind === "Deployment" && liveReplicas !== undefined && wantReplicas !== undefined && liveReplicas !== wantReplicas) {
    // Replicas are in the applied hash too, so compare as if both had been live's.
    const asLive = { ...want, metadata: { ...want.metadata, annotations: { ...want.metadata?.annotations, [APPLIED_HASH_ANNOTATION]: hashOf(live) } } };
    const sameOtherwise = covers({ ...asLive, spec: { ...(want as V1Deployment).spec, replicas: liveReplicas } }, live);
    if (sameOtherwise) return { action: "scaled", kind, name, from: liveReplicas, to: wantReplicas, drift };
  }
  const rolled = kind === "Deployment" && !covers((want as V1Deployment).spec?.template, (live as V1Deployment).spec?.template);
  return { action: "updated", kind, name, rolled, drift };
}

/**
 * Makes the server hold `desired`, writing only when it does not yet: the cache is checked
 * first, then (since the cache may not have seen our last write yet) the server itself.
 */
export async function ensureChild<T extends KubernetesObject>(kind: ChildKind<T>, desired: T): Promise<Ensured<T>> {
  const want = withAppliedHash(desired);
  const namespace = want.metadata?.namespace ?? "";
  const name = want.metadata?.name ?? "";
  const cached = kind.cached(namespace, name);
  if (cached && covers(want, cached)) return { object: cached };
  const live = await kind.read(namespace, name);
  if (live && covers(want, live)) return { object: live };
  const object = await kind.apply(want);
  return { object, action: describe(kind.kind, want, live) };
}

/** True when `object` is controlled by the owner with this uid (so it is ours to delete). */
export function isControlledBy(object: KubernetesObject, uid: string): boolean {
  return (object.metadata?.ownerReferences ?? []).some((ref) => ref.controller === true && ref.uid === uid);
}

/** Deletes a child we made that is no longer desired. */
export async function pruneChild<T extends KubernetesObject>(kind: ChildKind<T>, namespace: string, name: string, ownerUid: string): Promise<ChildAction | undefined> {
  const cached = kind.cached(namespace, name);
  const uid = cached?.metadata?.uid;
  if (!cached || !uid || !isControlledBy(cached, ownerUid)) return undefined;
  await kind.remove(namespace, name, uid);
  return { action: "deleted", kind: kind.kind, name };
}
