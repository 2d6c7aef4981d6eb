import type { V1Container, V1Deployment, V1EnvVar, V1PodSpec, V1Volume, V1VolumeMount } from "@kubernetes/client-node";
import { ADMIN_PORT, ENV, RUNTIME_COMMAND, RUNTIME_CONTAINER, RUNTIME_PORT, flags, type ProcessGroup, type RuntimeConfig } from "../../../crds/index.ts";
import { labelsOf, selectorOf, SOURCE_CHECKSUM_ANNOTATION } from "./labels.ts";
import { childMetadata, type RenderOptions } from "./options.ts";
import { runtimeServiceAccountName } from "./once-rbac.ts";

/** The label the Deployment controller puts on every pod of one ReplicaSet (one rollout). */
export const POD_TEMPLATE_HASH_LABEL = "pod-template-hash";

/** Seconds the pod keeps serving after it is marked for deletion, while endpoints drop it. */
export const PRE_STOP_SLEEP_SECONDS = 3;
const RUNTIME_UID = 10001;

export function runtimeConfigOf(pg: ProcessGroup): RuntimeConfig {
  const s = pg.spec;
  return {
    threads: s.threads,
    concurrency: s.concurrency,
    applications: s.applications,
    displayName: s.displayName,
    preload: s.preload,
    gracefulTimeoutSeconds: s.gracefulTimeoutSeconds,
    shutdownTimeoutSeconds: s.shutdownTimeoutSeconds,
    listenBacklog: s.listenBacklog,
    root: s.source.root,
    ...(s.maximumRequests !== undefined ? { maximumRequests: s.maximumRequests } : {}),
    ...(s.requestTimeoutSeconds !== undefined ? { requestTimeoutSeconds: s.requestTimeoutSeconds } : {}),
    ...(s.queueTimeoutSeconds !== undefined ? { queueTimeoutSeconds: s.queueTimeoutSeconds } : {}),
    ...(s.restartIntervalSeconds !== undefined ? { restartIntervalSeconds: s.restartIntervalSeconds } : {}),
    ...(s.threadMemoryLimitMegabytes !== undefined ? { threadMemoryLimitMegabytes: s.threadMemoryLimitMegabytes } : {}),
  };
}

/** The operator-runtime contract as container env (docs/contract.md). */
export function runtimeEnvOf(pg: ProcessGroup): V1EnvVar[] {
  const f = flags(pg.spec);
  return [
    { name: ENV.name, value: pg.metadata.name },
    { name: ENV.namespace, valueFrom: { fieldRef: { fieldPath: "metadata.namespace" } } },
    { name: ENV.podName, valueFrom: { fieldRef: { fieldPath: "metadata.name" } } },
    // env.once() runs once per rollout: the ReplicaSet's template hash names the rollout.
    { name: ENV.revision, valueFrom: { fieldRef: { fieldPath: `metadata.labels['${POD_TEMPLATE_HASH_LABEL}']` } } },
    ...(pg.metadata.uid ? [{ name: ENV.uid, value: pg.metadata.uid }] : []),
    { name: ENV.threads, value: String(f.threads) },
    { name: ENV.concurrency, value: String(pg.spec.concurrency) },
    { name: ENV.multiprocess, value: String(f.multiprocess) },
    { name: ENV.multithread, value: String(f.multithread) },
    { name: ENV.port, value: String(RUNTIME_PORT) },
    { name: ENV.adminPort, value: String(ADMIN_PORT) },
    { name: ENV.config, value: JSON.stringify(runtimeConfigOf(pg)) },
    ...pg.spec.env.map(({ name, value }) => ({ name, value })),
  ];
}

function sourceVolumes(pg: ProcessGroup): { volumes: V1Volume[]; mounts: V1VolumeMount[] } {
  const tmp = { volumes: [{ name: "tmp", emptyDir: {} }], mounts: [{ name: "tmp", mountPath: "/tmp" }] };
  const { source } = pg.spec;
  if (source.type !== "ConfigMap" || !source.configMap) return tmp;
  return {
    volumes: [...tmp.volumes, { name: "app-source", configMap: { name: source.configMap.name } }],
    mounts: [...tmp.mounts, { name: "app-source", mountPath: source.root, readOnly: true }],
  };
}

function runtimeContainer(pg: ProcessGroup, options: RenderOptions, mounts: V1VolumeMount[]): V1Container {
  const probe = (path: string) => ({ httpGet: { path, port: "admin" } });
  return {
    name: RUNTIME_CONTAINER,
    image: pg.spec.image ?? options.runtimeImage,
    command: [...RUNTIME_COMMAND],
    ports: [
      { name: "http", containerPort: RUNTIME_PORT, protocol: "TCP" },
      { name: "admin", containerPort: ADMIN_PORT, protocol: "TCP" },
    ],
    env: runtimeEnvOf(pg),
    ...(pg.spec.resources ? { resources: pg.spec.resources as V1Container["resources"] } : {}),
    // Preloading (WSGIImportScript) may take a while: the startup probe gives it a minute.
    startupProbe: { ...probe("/healthz"), periodSeconds: 2, failureThreshold: 30 },
    readinessProbe: { ...probe("/readyz"), periodSeconds: 5, failureThreshold: 2 },
    livenessProbe: { ...probe("/healthz"), periodSeconds: 10, failureThreshold: 3 },
    lifecycle: { preStop: { sleep: { seconds: PRE_STOP_SLEEP_SECONDS } } },
    securityContext: {
      allowPrivilegeEscalation: false,
      readOnlyRootFilesystem: true,
      runAsNonRoot: true,
      capabilities: { drop: ["ALL"] },
    },
    volumeMounts: mounts,
  };
}

export function terminationGracePeriodOf(pg: ProcessGroup): number {
  return PRE_STOP_SLEEP_SECONDS + pg.spec.gracefulTimeoutSeconds + pg.spec.shutdownTimeoutSeconds;
}

export function buildDeployment(pg: ProcessGroup, options: RenderOptions): V1Deployment {
  const name = pg.metadata.name;
  const labels = labelsOf(name);
  const { volumes, mounts } = sourceVolumes(pg);
  const podSpec: V1PodSpec = {
    terminationGracePeriodSeconds: terminationGracePeriodOf(pg),
    enableServiceLinks: false,
    // The group's own account, whose token lets env.once() hold its Leases (and nothing else).
    serviceAccountName: runtimeServiceAccountName(name),
    automountServiceAccountToken: true,
    securityContext: { runAsNonRoot: true, runAsUser: RUNTIME_UID, runAsGroup: RUNTIME_UID, fsGroup: RUNTIME_UID, seccompProfile: { type: "RuntimeDefault" } },
    containers: [runtimeContainer(pg, options, mounts)],
    volumes,
  };
  return {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: childMetadata(pg, labels),
    spec: {
      replicas: options.replicas ?? flags(pg.spec).processes,
      selector: { matchLabels: selectorOf(name) },
      // Never below the desired capacity during a rollout: a new process is ready before an old one drains.
      strategy: { type: "RollingUpdate", rollingUpdate: { maxUnavailable: 0, maxSurge: 1 } },
      template: {
        metadata: {
          labels,
          ...(options.sourceChecksum ? { annotations: { [SOURCE_CHECKSUM_ANNOTATION]: options.sourceChecksum } } : {}),
        },
        spec: podSpec,
      },
    },
  };
}
