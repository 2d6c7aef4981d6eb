import type { KubernetesObject, V1ConfigMap, V1ContainerStatus, V1ObjectMeta, V1Pod } from "@kubernetes/client-node";
import { sourceChecksumOf } from "./source-checksum.ts";

// What the informer caches keep of each object: only what the reconciler reads. The caches
// hold every child, pod and ConfigMap in the cluster, and the fields nobody here reads
// (managedFields above all, which on a Deployment is as large as its spec) were most of the
// operator's heap. The transforms run on every listed and watched object before it is cached.

/** Written by `kubectl apply`: a second copy of the whole object as JSON. */
export const LAST_APPLIED_ANNOTATION = "kubectl.kubernetes.io/last-applied-configuration";

/** Metadata without managedFields and kubectl's copy of the object; every other field stays. */
export function cachedMetadata(metadata: V1ObjectMeta | undefined): V1ObjectMeta {
  const { managedFields: _managedFields, annotations, ...rest } = metadata ?? {};
  if (annotations === undefined) return rest;
  const { [LAST_APPLIED_ANNOTATION]: _lastApplied, ...kept } = annotations;
  return { ...rest, annotations: kept };
}

/** The object with its metadata trimmed (ProcessGroups, Deployments: spec and status are read). */
export function withCachedMetadata<T extends KubernetesObject>(object: T): T {
  return { ...object, metadata: cachedMetadata(object.metadata) };
}

/** Services and Ingresses: what we applied is compared with their spec; their status is never read. */
export function withoutStatus<T extends KubernetesObject & { status?: unknown }>(object: T): T {
  const { status: _status, ...rest } = object;
  return { ...rest, metadata: cachedMetadata(object.metadata) } as T;
}

/** The object without its undefined fields, so a cached object keeps no empty slots. */
function compact<T extends object>(object: T): T {
  return Object.fromEntries(Object.entries(object).filter(([, value]) => value !== undefined)) as T;
}

function pullState(status: V1ContainerStatus): V1ContainerStatus {
  const reason = status.state?.waiting?.reason;
  const { name, image, imageID, ready, restartCount } = status;
  return compact({ name, image, imageID, ready, restartCount, state: reason !== undefined ? { waiting: { reason } } : undefined });
}

/**
 * A pod as the reconciler reads it: who it belongs to (labels, owners), whether it is going,
 * which images its containers wait to pull, and for an elastic group where its /metrics is
 * (its IP) and whether it is Ready. Its spec and the rest of its status are dropped.
 */
export function cachedPod(pod: V1Pod): V1Pod {
  const { name, namespace, uid, resourceVersion, labels, ownerReferences, deletionTimestamp } = pod.metadata ?? {};
  const metadata = compact({ name, namespace, uid, resourceVersion, labels, ownerReferences, deletionTimestamp });
  const s = pod.status;
  const ready = s?.conditions?.find((c) => c.type === "Ready");
  const status =
    s &&
    compact({
      podIP: s.podIP,
      conditions: ready ? [{ type: "Ready", status: ready.status }] : undefined,
      initContainerStatuses: s.initContainerStatuses?.map(pullState),
      containerStatuses: s.containerStatuses?.map(pullState),
    });
  return compact({ apiVersion: pod.apiVersion, kind: pod.kind, metadata, status });
}

/**
 * A ConfigMap as the reconciler reads it: that it exists, and the checksum of its content
 * that goes into the pod template of a group it is the source of. The content itself (up to
 * 1 MiB per ConfigMap, and every ConfigMap in the watched namespaces is cached) is not kept:
 * the runtime reads it from its volume, not from us.
 */
export interface CachedConfigMap extends KubernetesObject {
  readonly metadata: V1ObjectMeta;
  readonly sourceChecksum: string;
}

export function cachedConfigMap(configMap: V1ConfigMap): CachedConfigMap {
  const { name, namespace, uid, resourceVersion } = configMap.metadata ?? {};
  const metadata = compact({ name, namespace, uid, resourceVersion });
  return compact({ apiVersion: configMap.apiVersion, kind: configMap.kind, metadata, sourceChecksum: sourceChecksumOf(configMap) });
}
