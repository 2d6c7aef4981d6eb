import {
  AuthorizationV1Api,
  CoreV1Api,
  KubernetesObjectApi,
  PatchStrategy,
  RbacAuthorizationV1Api,
  type KubernetesObject,
  type V1Deployment,
  type V1PolicyRule,
  type V1Pod,
} from "@kubernetes/client-node";
import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseAllDocuments } from "yaml";
import { parseWith, ProcessGroup } from "../../crds/index.ts";
import { render } from "../../operator/src/render/render.ts";
import { defaultRenderOptions } from "../../operator/src/render/options.ts";
import { parseQuantity } from "../../operator/src/reconcile/quantity.ts";
import { refusal } from "./support/api-error.ts";
import { kubeConfig } from "./support/control-plane.ts";
import { applyCrd } from "./support/crd.ts";
import { chartDir, helm } from "./support/helm.ts";
import { createTestNamespace, type TestNamespace } from "./support/namespace.ts";
import { runCommand } from "./support/run-command.ts";

type Manifest = KubernetesObject & { rules?: V1PolicyRule[]; roleRef?: { name: string } };

async function template(...args: string[]): Promise<Manifest[]> {
  const result = await helm(["template", "pg", chartDir, "--namespace", "pg-system", ...args]);
  expect(result.stderr).toBe("");
  expect(result.exitCode).toBe(0);
  return parseAllDocuments(result.stdout)
    .map((d) => d.toJS() as Manifest | null)
    .filter((d): d is Manifest => d !== null);
}

const kinds = (objects: Manifest[]) => objects.map((o) => `${o.kind}/${o.metadata?.namespace ?? ""}/${o.metadata?.name}`).sort();

describe("the Helm chart, rendered by real helm", () => {
  it("lints clean with default values and with a matrix of non-default values", async () => {
    for (const set of [
      [],
      ["--set", "watchNamespaces={team-a,team-b}"],
      ["--set", "leaderElection.enabled=false,replicas=2,logLevel=debug,concurrency=8"],
      ["--set", "serviceMonitor.enabled=true,serviceAccount.create=false,serviceAccount.name=ops"],
      ["--set", "image.tag=dev,runtimeImage=registry.example/runtime:dev,nodeSelector.disk=ssd"],
    ]) {
      const result = await helm(["lint", "--strict", chartDir, ...set]);
      expect(result.stdout + result.stderr, set.join(" ")).toMatch(/1 chart\(s\) linted, 0 chart\(s\) failed/);
    }
  });

  it("templates a ClusterRole when watching every namespace, and a Role per namespace when watching a list", async () => {
    const all = await template();
    expect(kinds(all)).toEqual([
      "ClusterRole//pg-processgroup-operator",
      "ClusterRoleBinding//pg-processgroup-operator",
      "Deployment/pg-system/pg-processgroup-operator",
      "Role/pg-system/pg-processgroup-operator-leader-election",
      "RoleBinding/pg-system/pg-processgroup-operator-leader-election",
      "Service/pg-system/pg-processgroup-operator-metrics",
      "ServiceAccount/pg-system/pg-processgroup-operator",
    ]);
    const listed = await template("--set", "watchNamespaces={team-a,team-b}", "--set", "leaderElection.enabled=false");
    expect(kinds(listed)).toEqual([
      "Deployment/pg-system/pg-processgroup-operator",
      "Role/team-a/pg-processgroup-operator",
      "Role/team-b/pg-processgroup-operator",
      "RoleBinding/team-a/pg-processgroup-operator",
      "RoleBinding/team-b/pg-processgroup-operator",
      "Service/pg-system/pg-processgroup-operator-metrics",
      "ServiceAccount/pg-system/pg-processgroup-operator",
    ]);
    const deployment = listed.find((o) => o.kind === "Deployment") as V1Deployment;
    expect(deployment.spec?.template.spec?.containers[0]?.args).toContain("--namespaces=team-a,team-b");
    expect(deployment.spec?.template.spec?.containers[0]?.args).toContain("--leader-elect=false");
  });

  it("gives the operator a memory limit above its request, and NODE_OPTIONS that Node accepts (none when emptied)", async () => {
    const container = (objects: Manifest[]) => (objects.find((o) => o.kind === "Deployment") as V1Deployment).spec?.template.spec?.containers[0];
    const operator = container(await template());
    const bytes = (q: string | number | undefined) => {
      const parsed = q === undefined ? undefined : parseQuantity(q);
      return parsed && Number(parsed.digits) * 10 ** parsed.exp10 * 2 ** parsed.exp2;
    };
    const { requests, limits } = operator?.resources ?? {};
    expect(bytes(limits?.["memory"])).toBeGreaterThan(bytes(requests?.["memory"]) ?? Infinity);

    const nodeOptions = operator?.env?.find((e) => e.name === "NODE_OPTIONS")?.value;
    expect(nodeOptions).toMatch(/--max-semi-space-size=\d+/);
    // Node refuses a flag NODE_OPTIONS may not carry (exit 9): the value must start the operator's Node.
    const node = await runCommand(process.execPath, ["-e", "process.stdout.write('started')"], { env: { ...process.env, NODE_OPTIONS: nodeOptions } });
    expect(node.stderr).toBe("");
    expect(node.stdout).toBe("started");
    expect(container(await template("--set", "nodeOptions="))?.env?.map((e) => e.name)).not.toContain("NODE_OPTIONS");
  });

  it("gives the operator a writable /tmp (its module cache) under a read-only root filesystem", async () => {
    const pod = ((await template()).find((o) => o.kind === "Deployment") as V1Deployment).spec?.template.spec;
    const operator = pod?.containers[0];
    expect(operator?.securityContext?.readOnlyRootFilesystem).toBe(true);
    const mount = operator?.volumeMounts?.find((m) => m.mountPath === "/tmp");
    expect(pod?.volumes?.find((v) => v.name === mount?.name)?.emptyDir).toBeDefined();
  });

  it("grants no wildcard and nothing on Secrets", async () => {
    const rules = (await template()).flatMap((o) => o.rules ?? []);
    expect(rules.length).toBeGreaterThan(0);
    for (const rule of rules) {
      expect([...(rule.verbs ?? []), ...(rule.resources ?? []), ...(rule.apiGroups ?? [])]).not.toContain("*");
      expect(rule.resources).not.toContain("secrets");
    }
  });

  it.each([
    [["--set", "replicas=0"], /replicas/],
    [["--set", "logLevel=loud"], /logLevel/],
    [["--set", "colour=blue"], /colour/],
    [["--set", "watchNamespaces={Team_A}"], /watchNamespaces/],
    [["--set", "resources.limits.memory=320MB"], /resources/],
  ])("refuses invalid values %j with a message naming the value", async (set, field) => {
    const result = await helm(["template", "pg", chartDir, ...set]);
    expect(result.exitCode).not.toBe(0);
    expect(result.stderr).toMatch(/values don't meet the specifications of the schema/);
    expect(result.stderr).toMatch(field);
  });

  it("ships the generated CRD unchanged and is versioned with the package", () => {
    const generated = readFileSync(new URL("../../crds/processgroup.dev_processgroups.yaml", import.meta.url), "utf8");
    expect(readFileSync(`${chartDir}/crds/processgroup.dev_processgroups.yaml`, "utf8")).toBe(generated);
    const pkg = JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as { version: string };
    expect(readFileSync(`${chartDir}/Chart.yaml`, "utf8")).toMatch(new RegExp(`^version: ${pkg.version.replaceAll(".", "\\.")}$`, "m"));
  });
});

describe("the Helm chart on the real API server", () => {
  let ns: TestNamespace;
  beforeAll(async () => {
    await applyCrd();
    ns = await createTestNamespace("chart");
  });
  afterAll(async () => ns?.delete());

  it("applies by server-side apply (dry run through admission)", async () => {
    const objects = KubernetesObjectApi.makeApiClient(kubeConfig());
    for (const obj of await template("--namespace", ns.name, "--set", "serviceMonitor.enabled=false")) {
      const namespaced = { ...obj, metadata: { ...obj.metadata, ...(obj.metadata?.namespace ? { namespace: ns.name } : {}) } };
      await objects.patch(namespaced, undefined, "All", "chart-test", true, PatchStrategy.ServerSideApply);
    }
  });

  it("installs with helm and uninstalls leaving the CRD and nothing else", async () => {
    const release = `pg${ns.name.slice(-6)}`;
    const install = await helm(["install", release, chartDir, "--namespace", ns.name]);
    expect(install.stderr).toBe("");
    expect(install.stdout).toMatch(/STATUS: deployed/);
    expect(install.stdout).toMatch(/kubectl get pgrp -w/); // NOTES.txt
    const rbac = kubeConfig().makeApiClient(RbacAuthorizationV1Api);
    const selector = `app.kubernetes.io/instance=${release}`;
    expect((await rbac.listClusterRole({ labelSelector: selector })).items).toHaveLength(1);

    const uninstall = await helm(["uninstall", release, "--namespace", ns.name]);
    expect(uninstall.exitCode).toBe(0);
    expect((await rbac.listClusterRole({ labelSelector: selector })).items).toHaveLength(0);
    expect((await rbac.listNamespacedRole({ namespace: ns.name, labelSelector: selector })).items).toHaveLength(0);
    const core = kubeConfig().makeApiClient(CoreV1Api);
    expect((await core.listNamespacedServiceAccount({ namespace: ns.name, labelSelector: selector })).items).toHaveLength(0);
    const crd = await KubernetesObjectApi.makeApiClient(kubeConfig()).read({
      apiVersion: "apiextensions.k8s.io/v1",
      kind: "CustomResourceDefinition",
      metadata: { name: "processgroups.processgroup.dev" },
    });
    expect(crd.metadata?.name).toBe("processgroups.processgroup.dev");
  });

  it("gives the operator's ServiceAccount what it uses and nothing more", async () => {
    const release = `rb${ns.name.slice(-6)}`;
    expect((await helm(["install", release, chartDir, "--namespace", ns.name])).exitCode).toBe(0);
    const user = `system:serviceaccount:${ns.name}:${release}-processgroup-operator`;
    const authz = kubeConfig().makeApiClient(AuthorizationV1Api);
    const can = async (verb: string, group: string, resource: string, namespace = "default", subresource?: string) =>
      (
        await authz.createSubjectAccessReview({
          body: { spec: { user, groups: ["system:serviceaccounts", `system:serviceaccounts:${ns.name}`], resourceAttributes: { verb, group, resource, namespace, ...(subresource ? { subresource } : {}) } } },
        })
      ).status?.allowed === true;
    for (const verb of ["get", "list", "watch"]) expect(await can(verb, "processgroup.dev", "processgroups"), verb).toBe(true);
    expect(await can("patch", "processgroup.dev", "processgroups", "default", "status")).toBe(true);
    expect(await can("update", "processgroup.dev", "processgroups", "default", "status")).toBe(false);
    for (const [group, resource] of [["apps", "deployments"], ["", "services"], ["networking.k8s.io", "ingresses"]] as const) {
      for (const verb of ["get", "list", "watch", "create", "patch", "delete"]) expect(await can(verb, group, resource), `${verb} ${resource}`).toBe(true);
    }
    for (const resource of ["configmaps", "pods"]) {
      for (const verb of ["list", "watch"]) expect(await can(verb, "", resource), `${verb} ${resource}`).toBe(true);
      expect(await can("get", "", resource), `get ${resource}`).toBe(false);
    }
    for (const verb of ["create", "patch"]) expect(await can(verb, "", "events")).toBe(true);
    for (const verb of ["get", "create", "update"]) expect(await can(verb, "coordination.k8s.io", "leases", ns.name)).toBe(true);
    // A group's ServiceAccount and its Role + RoleBinding for env.once(): read and applied, never listed or deleted.
    for (const [group, resource] of [["", "serviceaccounts"], ["rbac.authorization.k8s.io", "roles"], ["rbac.authorization.k8s.io", "rolebindings"]] as const) {
      for (const verb of ["get", "create", "patch"]) expect(await can(verb, group, resource), `${verb} ${resource}`).toBe(true);
      for (const verb of ["list", "delete"]) expect(await can(verb, group, resource), `${verb} ${resource}`).toBe(false);
    }
    // To grant the groups' Roles their Lease verbs the operator must hold them (RBAC's escalation rule).
    for (const verb of ["get", "create", "update"]) expect(await can(verb, "coordination.k8s.io", "leases", "default")).toBe(true);
    expect(await can("delete", "coordination.k8s.io", "leases", "default")).toBe(false);
    expect(await can("escalate", "rbac.authorization.k8s.io", "roles")).toBe(false);
    expect(await can("bind", "rbac.authorization.k8s.io", "roles")).toBe(false);

    expect(await can("get", "", "secrets")).toBe(false);
    expect(await can("list", "", "secrets")).toBe(false);
    expect(await can("delete", "", "namespaces", "")).toBe(false);
    expect(await can("update", "processgroup.dev", "processgroups")).toBe(false);
    expect(await can("update", "apps", "deployments")).toBe(false);
    expect((await helm(["uninstall", release, "--namespace", ns.name])).exitCode).toBe(0);
  });

  it("runs both pods under Pod Security 'restricted', admitted by the API server", async () => {
    const core = kubeConfig().makeApiClient(CoreV1Api);
    const restricted = await createTestNamespace("restricted", { pods: true });
    try {
      await core.patchNamespace({
        name: restricted.name,
        body: [
          { op: "add", path: "/metadata/labels/pod-security.kubernetes.io~1enforce", value: "restricted" },
          { op: "add", path: "/metadata/labels/pod-security.kubernetes.io~1enforce-version", value: "latest" },
        ],
      });
      const chartDeployment = (await template()).find((o) => o.kind === "Deployment") as V1Deployment;
      const parsed = parseWith(ProcessGroup, {
        apiVersion: "processgroup.dev/v1alpha1",
        kind: "ProcessGroup",
        metadata: { name: "site1", namespace: restricted.name },
        spec: { processes: 2, source: { type: "ConfigMap", configMap: { name: "code" } }, applications: [{ name: "hello", mount: "/", entry: "hello.mjs" }] },
      });
      if (!parsed.ok) throw new Error("fixture");
      const runtimeDeployment = render(parsed.value, defaultRenderOptions).deployment;
      for (const [name, deployment] of [["operator", chartDeployment], ["runtime", runtimeDeployment]] as const) {
        const pod: V1Pod = { metadata: { name, namespace: restricted.name }, spec: { ...deployment.spec!.template.spec!, serviceAccountName: undefined } as V1Pod["spec"] };
        const created = await core.createNamespacedPod({ namespace: restricted.name, body: pod, dryRun: "All" });
        expect(created.metadata?.name).toBe(name);
      }
      // And the same admission refuses a pod that breaks the profile, so the check is real.
      const root: V1Pod = { metadata: { name: "root", namespace: restricted.name }, spec: { containers: [{ name: "c", image: "busybox", securityContext: { privileged: true } }] } };
      const refused = await refusal(core.createNamespacedPod({ namespace: restricted.name, body: root, dryRun: "All" }));
      expect(refused.message).toMatch(/violates PodSecurity "restricted:latest"/);
    } finally {
      await restricted.delete();
    }
  });
});
