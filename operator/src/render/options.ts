import type { ProcessGroup } from "../../../crds/index.ts";

export const DEFAULT_RUNTIME_IMAGE = "ghcr.io/processgroup/runtime:0.1.0";

export interface RenderOptions {
  /** The runtime image used when spec.image is absent. */
  readonly runtimeImage: string;
  /** Checksum of the ConfigMap source's content; a change rolls the pods. */
  readonly sourceChecksum?: string | undefined;
  /** Mounts another (older) group owns on the route's host: the Ingress leaves them out. */
  readonly excludedMounts?: ReadonlySet<string> | undefined;
  /** An elastic group's processes as decided now; otherwise spec.processes. */
  readonly replicas?: number | undefined;
}

export const defaultRenderOptions: RenderOptions = { runtimeImage: DEFAULT_RUNTIME_IMAGE };

export function ownerReferencesOf(pg: ProcessGroup) {
  const uid = pg.metadata.uid;
  if (!uid) return undefined;
  return [{ apiVersion: pg.apiVersion, kind: pg.kind, name: pg.metadata.name, uid, controller: true, blockOwnerDeletion: true }];
}

/** metadata shared by every child: same name as the group, its labels, its owner. */
export function childMetadata(pg: ProcessGroup, labels: Record<string, string>) {
  const ownerReferences = ownerReferencesOf(pg);
  return {
    name: pg.metadata.name,
    ...(pg.metadata.namespace ? { namespace: pg.metadata.namespace } : {}),
    labels,
    ...(ownerReferences ? { ownerReferences } : {}),
  };
}
