import { CoordinationV1Api, CoreV1Api, KubeConfig, RbacAuthorizationV1Api, type V1Deployment } from "@kubernetes/client-node";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { parseAllDocuments } from "yaml";
import { freePorts } from "../controlplane/ports.ts";
import { kubeConfig } from "./support/control-plane.ts";
import { applyCrd } from "./support/crd.ts";
import { chartDir, helm } from "./support/helm.ts";
import { createTestNamespace, type TestNamespace } from "./support/namespace.ts";
import { ChildOperator } from "./operator-support/child-operator.ts";
import { createGroup, deploymentWhere, groupWhere, specOf } from "./operator-support/process-groups.ts";

// What a kubelet would run from the chart, without a container: the chart's command, args
// and env, with the credentials of the chart's ServiceAccount, so its RBAC is proven in use.

let ns: TestNamespace;
let release: string;
const children: ChildOperator[] = [];

/** A kubeconfig that authenticates as the ServiceAccount, with a token from the TokenRequest API. */
async function serviceAccountKubeconfig(namespace: string, serviceAccount: string): Promise<string> {
  const admin = kubeConfig();
  const token = await admin.makeApiClient(CoreV1Api).createNamespacedServiceAccountToken({
    name: serviceAccount,
    namespace,
    body: { spec: { audiences: [], expirationSeconds: 3600 } },
  });
  const cluster = admin.getCurrentCluster();
  if (!cluster || !token.status?.token) throw new Error("no cluster or token");
  const kc = new KubeConfig();
  kc.loadFromOptions({
    clusters: [{ ...cluster, name: "test" }],
    users: [{ name: serviceAccount, token: token.status.token }],
    contexts: [{ name: "sa", cluster: "test", user: serviceAccount, namespace }],
    currentContext: "sa",
  });
  const path = join(mkdtempSync(join(tmpdir(), "pg-sa-")), "kubeconfig");
  writeFileSync(path, kc.exportConfig());
  return path;
}

beforeAll(async () => {
  await applyCrd();
  ns = await createTestNamespace("chart-operator");
  release = `op${ns.name.slice(-6)}`;
});

afterAll(async () => {
  for (const child of children) child.kill();
  await helm(["uninstall", release, "--namespace", ns.name]);
  await ns?.delete();
});

it("runs the operator from the chart's Deployment, as its ServiceAccount, and reconciles a ProcessGroup", async () => {
  const [port] = await freePorts(1);
  const install = await helm(["install", release, chartDir, "--namespace", ns.name, "--set", `watchNamespaces={${ns.name}}`, "--set", `metricsPort=${port}`]);
  expect(install.exitCode, install.stderr).toBe(0);
  const manifest = await helm(["get", "manifest", release, "--namespace", ns.name]);
  const deployment = parseAllDocuments(manifest.stdout)
    .map((d) => d.toJS() as V1Deployment | null)
    .find((o) => o?.kind === "Deployment");
  const pod = deployment?.spec?.template.spec;
  const container = pod?.containers[0];
  if (!pod || !container) throw new Error("the chart rendered no operator Deployment");

  // The downward API, as the kubelet would resolve it.
  const podName = `${release}-operator-0`;
  const fieldValues: Record<string, string> = { "metadata.name": podName, "metadata.namespace": ns.name };
  const env: NodeJS.ProcessEnv = { PATH: process.env["PATH"], HOME: process.env["HOME"], KUBECONFIG: await serviceAccountKubeconfig(ns.name, pod.serviceAccountName ?? "default") };
  for (const e of container.env ?? []) env[e.name] = e.value ?? fieldValues[e.valueFrom?.fieldRef?.fieldPath ?? ""];
  expect(container.command).toEqual(["processgroup", "operator"]);
  const operator = new ChildOperator(podName, [...(container.command ?? []).slice(1), ...(container.args ?? [])], { env });
  children.push(operator);

  await operator.logged("became leader", 60_000);
  expect((await fetch(`http://127.0.0.1:${port}/healthz`)).status).toBe(200);
  await createGroup(ns.name, "from-chart", specOf({ processes: 2, threads: 3 }));
  await deploymentWhere(ns.name, "from-chart", "2 replicas", (d) => d.spec?.replicas === 2);
  await groupWhere(ns.name, "from-chart", "observedGeneration and flags", (g) => g.status?.observedGeneration === g.metadata.generation && g.status?.multiprocess === true);
  // The group's account for env.once(): the operator may grant its Role only what it holds itself.
  const rbac = kubeConfig().makeApiClient(RbacAuthorizationV1Api);
  expect((await rbac.readNamespacedRole({ name: "from-chart-once", namespace: ns.name })).rules?.[0]?.resources).toEqual(["leases"]);
  expect((await rbac.readNamespacedRoleBinding({ name: "from-chart-once", namespace: ns.name })).subjects?.[0]?.name).toBe("from-chart-runtime");
  expect((await kubeConfig().makeApiClient(CoreV1Api).readNamespacedServiceAccount({ name: "from-chart-runtime", namespace: ns.name })).metadata?.name).toBe("from-chart-runtime");
  const lease = await kubeConfig().makeApiClient(CoordinationV1Api).readNamespacedLease({ name: "processgroup-operator", namespace: ns.name });
  expect(lease.spec?.holderIdentity).toMatch(new RegExp(`^${podName}_[0-9a-f]{8}$`));
  expect(operator.lines.some((l) => /forbidden/i.test(JSON.stringify(l)))).toBe(false);
  expect(await operator.stop("SIGTERM")).toBe(0);
});
