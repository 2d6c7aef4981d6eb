import { ApiextensionsV1Api, KubernetesObjectApi, PatchStrategy, VersionApi, type KubernetesObject } from "@kubernetes/client-node";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, expect, test } from "vitest";
import { ENV } from "../../crds/index.ts";
import { startControlPlane, stopControlPlane } from "../controlplane/control-plane.ts";
import type { ControlPlaneState } from "../controlplane/control-plane-state.ts";
import { freePorts } from "../controlplane/ports.ts";
import { isRunning, stopProcesses } from "../controlplane/processes.ts";
import { firstApiserver, kubeConfigOn, startApiserver } from "./support/apiservers.ts";
import { readCrd } from "./support/crd.ts";
import { until } from "../support/until.ts";
import type { Operator } from "../../operator/src/operator.ts";
import { startOperator } from "./operator-support/in-process-operator.ts";
import { specOf } from "./operator-support/process-groups.ts";

// This test stops an API server, so it gets a control plane of its own (etcd + apiserver)
// instead of the shared one. A second apiserver on the same etcd lets the test change
// things while the operator's apiserver is down: "what changed meanwhile".
const linux = process.platform === "linux";
let dir: string;
let state: ControlPlaneState | undefined;
let operator: Operator | undefined;

const silent = (): void => {};

beforeAll(async () => {
  if (!linux) return;
  dir = await mkdtemp(join(tmpdir(), "pg-restart-"));
  state = await startControlPlane({ profile: "apiserver", dir, detached: false, progress: silent });
}, 300_000);

afterAll(async () => {
  await operator?.stop();
  if (state) await stopControlPlane(state, silent);
  if (dir) await rm(dir, { recursive: true, force: true });
});

test.skipIf(!linux)("the operator survives its API server stopping and starting again, and then reconciles what changed meanwhile", async () => {
  const cp = state;
  if (!cp) throw new Error("no control plane");
  const { record: original, args, port } = await firstApiserver(cp);
  const { kubeConfig: kc } = await kubeConfigOn(cp, dir, port);
  const objects = KubernetesObjectApi.makeApiClient(kc);
  const crd = await readCrd();
  await objects.patch(crd as KubernetesObject, undefined, undefined, "processgroup-tests", true, PatchStrategy.ServerSideApply);
  await until("the CRD to be Established", 30_000, async () => {
    const current = await kc.makeApiClient(ApiextensionsV1Api).readCustomResourceDefinition({ name: crd.metadata?.name ?? "" });
    return current.status?.conditions?.some((c) => c.type === "Established" && c.status === "True") ? true : undefined;
  });
  const namespace = "restart";
  await objects.create({ apiVersion: "v1", kind: "Namespace", metadata: { name: namespace } });
  const group = (name: string, spec: object): KubernetesObject => ({ apiVersion: "processgroup.dev/v1alpha1", kind: "ProcessGroup", metadata: { name, namespace }, spec } as KubernetesObject);
  const deployment = async (client: KubernetesObjectApi, name: string) =>
    (await client.read({ apiVersion: "apps/v1", kind: "Deployment", metadata: { name, namespace } }).catch(() => undefined)) as
      | { spec?: { replicas?: number; template?: { spec?: { containers?: { env?: { name: string; value?: string }[] }[] } } } }
      | undefined;
  const threadsOf = (d: Awaited<ReturnType<typeof deployment>>) => d?.spec?.template?.spec?.containers?.[0]?.env?.find((e) => e.name === ENV.threads)?.value;

  operator = await startOperator([namespace], { kubeConfig: kc });
  await objects.create(group("before", specOf({ processes: 2, threads: 2 })));
  await until("the first Deployment", 30_000, async () => ((await deployment(objects, "before"))?.spec?.replicas === 2 ? true : undefined));

  // A second apiserver on the same etcd, then the operator's apiserver goes away.
  const [otherPort = 0] = await freePorts(1);
  await startApiserver(cp, "kube-apiserver-2", args, otherPort);
  const other = KubernetesObjectApi.makeApiClient((await kubeConfigOn(cp, dir, otherPort)).kubeConfig);
  await stopProcesses([original], silent);
  expect(isRunning(original)).toBe(false);
  await expect(kc.makeApiClient(VersionApi).getCode()).rejects.toThrow();

  // Meanwhile: a new group, and a changed one.
  await other.create(group("during", specOf({ processes: 3 })));
  await other.patch(group("before", { threads: 5 }), undefined, undefined, undefined, undefined, PatchStrategy.MergePatch);
  expect(await deployment(other, "during")).toBeUndefined();

  await startApiserver(cp, "kube-apiserver", args, port);
  await until("the group created meanwhile to be reconciled", 60_000, async () => ((await deployment(objects, "during"))?.spec?.replicas === 3 ? true : undefined));
  await until("the group changed meanwhile to be reconciled", 60_000, async () => (threadsOf(await deployment(objects, "before")) === "5" ? true : undefined));
  expect(operator.reconciling).toBe(true);
});
