import type { V1ConfigMap, V1Deployment, V1ManagedFieldsEntry, V1Pod } from "@kubernetes/client-node";
import { describe, expect, test } from "vitest";
import { ProcessGroup, parseWith } from "../../../crds/index.ts";
import { ownerKeyOf } from "../kube/keys.ts";
import { NAME_LABEL } from "../render/labels.ts";
import { render } from "../render/render.ts";
import { withAppliedHash } from "./applied-hash.ts";
import { LAST_APPLIED_ANNOTATION, cachedConfigMap, cachedMetadata, cachedPod, withCachedMetadata, withoutStatus } from "./cached-objects.ts";
import { covers } from "./covers.ts";
import { imagePullProblems } from "./pod-problems.ts";
import { sourceChecksumOf } from "./source-checksum.ts";

const managedFields: V1ManagedFieldsEntry[] = [
  { manager: "processgroup-operator", operation: "Apply", apiVersion: "apps/v1", fieldsType: "FieldsV1", fieldsV1: { "f:spec": { "f:replicas": {} } } },
  { manager: "kube-controller-manager", operation: "Update", apiVersion: "apps/v1", subresource: "status", fieldsType: "FieldsV1", fieldsV1: { "f:status": {} } },
];

function renderedDeployment(): V1Deployment {
  const parsed = parseWith(ProcessGroup, {
    apiVersion: "processgroup.dev/v1alpha1",
    kind: "ProcessGroup",
    metadata: { name: "g", namespace: "ns", uid: "pg-uid" },
    spec: { image: "app:1", processes: 2, applications: [{ name: "hello", mount: "/", entry: "hello.mjs" }] },
  });
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.problems));
  return withAppliedHash(render(parsed.value).deployment);
}

/** The Deployment as the server returns it: our fields plus defaults, managedFields, kubectl's copy and a status. */
function liveDeployment(want: V1Deployment): V1Deployment {
  return {
    ...want,
    metadata: {
      ...want.metadata,
      uid: "d-uid",
      resourceVersion: "42",
      generation: 3,
      creationTimestamp: new Date("2026-01-01T00:00:00Z"),
      managedFields,
      annotations: { ...want.metadata?.annotations, "deployment.kubernetes.io/revision": "1", [LAST_APPLIED_ANNOTATION]: JSON.stringify(want) },
    },
    spec: { ...want.spec!, revisionHistoryLimit: 10, progressDeadlineSeconds: 600 },
    status: { observedGeneration: 3, replicas: 2, readyReplicas: 2, updatedReplicas: 2, conditions: [{ type: "Available", status: "True" }] },
  };
}

describe("cached objects", () => {
  test("metadata loses managedFields and kubectl's last-applied copy, and keeps everything else", () => {
    const live = liveDeployment(renderedDeployment());
    const metadata = cachedMetadata(live.metadata);
    expect(metadata.managedFields).toBeUndefined();
    expect(metadata.annotations?.[LAST_APPLIED_ANNOTATION]).toBeUndefined();
    const { managedFields: _m, annotations, ...rest } = live.metadata ?? {};
    const { [LAST_APPLIED_ANNOTATION]: _l, ...otherAnnotations } = annotations ?? {};
    expect(metadata).toEqual({ ...rest, annotations: otherAnnotations });
  });

  test("a cached Deployment still covers what we apply, keeps the status the reconciler reports, and maps to its owner", () => {
    const want = renderedDeployment();
    const live = liveDeployment(want);
    const cached = withCachedMetadata(live);
    expect(covers(want, cached)).toBe(true);
    expect(cached.status).toEqual(live.status);
    expect(cached.spec).toEqual(live.spec);
    expect(ownerKeyOf(cached)).toBe(ownerKeyOf(live));
    expect(ownerKeyOf(cached)).toBe("ns/g");
    // And a change to a field we set is still seen on the cached copy.
    const scaled = withCachedMetadata({ ...live, spec: { ...live.spec!, replicas: 5 } });
    expect(covers(want, scaled)).toBe(false);
  });

  test("a cached Service or Ingress keeps metadata and spec, not status", () => {
    const service = { metadata: { name: "g", namespace: "ns", managedFields, labels: { [NAME_LABEL]: "g" } }, spec: { type: "ClusterIP" }, status: { loadBalancer: {} } };
    expect(withoutStatus(service)).toEqual({ metadata: { name: "g", namespace: "ns", labels: { [NAME_LABEL]: "g" } }, spec: { type: "ClusterIP" } });
  });

  test("a cached pod keeps who owns it, which images it waits for, its IP and readiness, and drops its spec", () => {
    const waiting = (reason: string, image: string) => ({ name: "c", image, imageID: "", ready: false, restartCount: 0, state: { waiting: { reason, message: `long kubelet text about ${image}` } } });
    const pods: V1Pod[] = [
      {
        metadata: { name: "g-1", namespace: "ns", uid: "p1", resourceVersion: "7", labels: { [NAME_LABEL]: "g" }, managedFields, annotations: { note: "x" } },
        spec: { containers: [{ name: "c", image: "app:1", env: [{ name: "A", value: "a".repeat(1000) }] }] },
        status: {
          phase: "Pending",
          podIP: "10.1.0.7",
          podIPs: [{ ip: "10.1.0.7" }],
          initContainerStatuses: [waiting("ErrImagePull", "init:1")],
          containerStatuses: [waiting("ImagePullBackOff", "app:1")],
          conditions: [
            { type: "PodScheduled", status: "True", lastTransitionTime: new Date() },
            { type: "Ready", status: "False", reason: "ContainersNotReady", lastTransitionTime: new Date() },
          ],
        },
      },
      {
        metadata: { name: "g-2", namespace: "ns", labels: { [NAME_LABEL]: "g" }, deletionTimestamp: new Date() },
        status: { containerStatuses: [waiting("ErrImagePull", "gone:1")] },
      },
      { metadata: { name: "g-3", namespace: "ns", labels: { [NAME_LABEL]: "g" } }, status: { containerStatuses: [{ name: "c", image: "app:1", imageID: "x", ready: true, restartCount: 0, state: { running: {} } }] } },
    ];
    const cached = pods.map(cachedPod);
    expect(imagePullProblems(cached)).toEqual(imagePullProblems(pods));
    expect(imagePullProblems(cached)[0]?.message).toContain('"app:1", "init:1"');
    expect(cached.map(ownerKeyOf)).toEqual(pods.map(ownerKeyOf));
    expect(cached[0]).toEqual({
      metadata: { name: "g-1", namespace: "ns", uid: "p1", resourceVersion: "7", labels: { [NAME_LABEL]: "g" } },
      status: {
        podIP: "10.1.0.7",
        conditions: [{ type: "Ready", status: "False" }],
        initContainerStatuses: [{ name: "c", image: "init:1", imageID: "", ready: false, restartCount: 0, state: { waiting: { reason: "ErrImagePull" } } }],
        containerStatuses: [{ name: "c", image: "app:1", imageID: "", ready: false, restartCount: 0, state: { waiting: { reason: "ImagePullBackOff" } } }],
      },
    });
    expect(cached[2]?.status?.containerStatuses?.[0]?.state).toBeUndefined();
  });

  test("a cached ConfigMap is its name and the checksum of its content, which changes with the content", () => {
    const configMap: V1ConfigMap = { metadata: { name: "src", namespace: "ns", uid: "u", resourceVersion: "9", managedFields }, data: { "hello.mjs": "v1".repeat(500) }, binaryData: { "x.bin": "AAAA" } };
    const cached = cachedConfigMap(configMap);
    expect(cached).toEqual({ metadata: { name: "src", namespace: "ns", uid: "u", resourceVersion: "9" }, sourceChecksum: sourceChecksumOf(configMap) });
    expect(cachedConfigMap({ ...configMap, data: { "hello.mjs": "v2" } }).sourceChecksum).not.toBe(cached.sourceChecksum);
  });
});
