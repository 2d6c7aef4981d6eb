import type { V1Deployment } from "@kubernetes/client-node";
import { describe, expect, test } from "vitest";
import { ENV, flags, type ProcessGroupSpecInput } from "../../crds/index.ts";
import { SOURCE_CHECKSUM_ANNOTATION } from "../../operator/src/render/labels.ts";
import { processGroupApi } from "./support/crd.ts";
import { kubectl } from "./support/kubectl.ts";
import { until } from "../support/until.ts";
import { useOperator } from "./operator-support/in-process-operator.ts";
import {
  TEST_IMAGE,
  clients,
  conditionOf,
  createGroup,
  deploymentWhere,
  envOf,
  eventWhere,
  groupWhere,
  patchSpec,
  readDeployment,
  readGroup,
  specOf,
} from "./operator-support/process-groups.ts";

const file = useOperator("operator-reconcile");

// The flag rule of docs/architecture.md, every row.
const vectors: { name: string; spec: Pick<ProcessGroupSpecInput, "processes" | "threads" | "elastic">; pods: number; threads: number; multiprocess: boolean; multithread: boolean }[] = [
  { name: "winnt", spec: { threads: 25 }, pods: 1, threads: 25, multiprocess: false, multithread: true },
  { name: "explicit-one", spec: { processes: 1, threads: 25 }, pods: 1, threads: 25, multiprocess: true, multithread: true },
  { name: "worker", spec: { processes: 2, threads: 25 }, pods: 2, threads: 25, multiprocess: true, multithread: true },
  { name: "prefork", spec: { processes: 5, threads: 1 }, pods: 5, threads: 1, multiprocess: true, multithread: false },
  { name: "one-one", spec: { processes: 1, threads: 1 }, pods: 1, threads: 1, multiprocess: true, multithread: false },
  { name: "serial", spec: { threads: 1 }, pods: 1, threads: 1, multiprocess: false, multithread: false },
  { name: "defaults", spec: {}, pods: 1, threads: 15, multiprocess: false, multithread: true },
  // Elastic: the minimum's pods until a pod's metrics say otherwise (none are read here).
  { name: "elastic", spec: { elastic: { maxProcesses: 4 } }, pods: 1, threads: 15, multiprocess: true, multithread: true },
  { name: "elastic-prefork", spec: { processes: 2, threads: 1, elastic: { maxProcesses: 8 } }, pods: 2, threads: 1, multiprocess: true, multithread: false },
];

describe("creating a ProcessGroup", () => {
  test("makes a Deployment and a Service with the right replicas, flags and owner, for every row of the flag rule", async () => {
    await Promise.all(vectors.map((v) => createGroup(file.namespace, v.name, specOf(v.spec))));
    for (const v of vectors) {
      // The table and the pure rule agree, so the test checks the operator, not the table.
      expect(flags(v.spec)).toEqual({ processes: v.pods, threads: v.threads, multiprocess: v.multiprocess, multithread: v.multithread });
      const group = await groupWhere(file.namespace, v.name, "status observed", (g) => g.status?.observedGeneration === g.metadata.generation);
      const deployment = await deploymentWhere(file.namespace, v.name, "exists", () => true);
      expect(deployment.spec?.replicas, v.name).toBe(v.pods);
      const env = envOf(deployment);
      expect(env[ENV.threads], v.name).toBe(String(v.threads));
      expect(env[ENV.multiprocess], v.name).toBe(String(v.multiprocess));
      expect(env[ENV.multithread], v.name).toBe(String(v.multithread));
      const owner = deployment.metadata?.ownerReferences?.[0];
      expect(owner).toMatchObject({ kind: "ProcessGroup", name: v.name, uid: group.metadata.uid, controller: true, blockOwnerDeletion: true });

      const service = await clients().core.readNamespacedService({ name: v.name, namespace: file.namespace });
      expect(service.metadata?.ownerReferences?.[0]?.uid).toBe(group.metadata.uid);
      expect(service.spec?.selector).toEqual({ "processgroup.dev/name": v.name });

      expect(group.status).toMatchObject({
        processes: v.pods,
        threads: v.threads,
        multiprocess: v.multiprocess,
        multithread: v.multithread,
        selector: `processgroup.dev/name=${v.name}`,
      });
      expect(conditionOf(group, "Degraded")?.status).toBe("False");
      for (const type of ["Ready", "Progressing", "Degraded"]) expect(conditionOf(group, type)?.observedGeneration).toBe(group.metadata.generation);
    }
  });
});

describe("changing a ProcessGroup", () => {
  test("threads change the pod template; processes and the scale subresource change the replicas", async () => {
    await createGroup(file.namespace, "changes", specOf({ processes: 2, threads: 4 }));
    const first = await deploymentWhere(file.namespace, "changes", "2 replicas", (d) => d.spec?.replicas === 2);

    await patchSpec(file.namespace, "changes", { threads: 8 });
    const rolled = await deploymentWhere(file.namespace, "changes", "8 threads", (d) => envOf(d)[ENV.threads] === "8");
    expect(rolled.metadata?.generation).toBeGreaterThan(first.metadata?.generation ?? 0);
    expect(rolled.spec?.replicas).toBe(2);
    await eventWhere(file.namespace, "changes", "Normal", "Updated");

    await patchSpec(file.namespace, "changes", { processes: 3 });
    const scaled = await deploymentWhere(file.namespace, "changes", "3 replicas", (d) => d.spec?.replicas === 3);
    // A scale is not a new pod template: nothing rolls.
    expect(scaled.spec?.template).toEqual(rolled.spec?.template);
    await eventWhere(file.namespace, "changes", "Normal", "Scaled");

    const result = await kubectl(["scale", "processgroup/changes", "--replicas=5", "-n", file.namespace]);
    expect(result.stderr).toBe("");
    await deploymentWhere(file.namespace, "changes", "5 replicas after kubectl scale", (d) => d.spec?.replicas === 5);
    const group = await groupWhere(file.namespace, "changes", "5 processes in status", (g) => g.status?.processes === 5 && g.status.observedGeneration === g.metadata.generation);
    expect(group.status?.multiprocess).toBe(true);
  });
});

describe("drift", () => {
  test("replicas and env edited by hand are put back; fields another manager set are kept", async () => {
    await createGroup(file.namespace, "drift", specOf({ processes: 2, threads: 3 }));
    await deploymentWhere(file.namespace, "drift", "2 replicas", (d) => d.spec?.replicas === 2);

    // Another tool owns these fields; the operator must leave them alone.
    const other = {
      apiVersion: "apps/v1",
      kind: "Deployment",
      metadata: { name: "drift", namespace: file.namespace, annotations: { "example.com/owner": "team-a" } },
      spec: { minReadySeconds: 7 },
    };
    await kubectl(["apply", "--server-side", "--field-manager=other-tool", "-f", "-"], { input: JSON.stringify(other) });

    expect((await kubectl(["scale", "deployment/drift", "--replicas=6", "-n", file.namespace])).exitCode).toBe(0);
    await eventWhere(file.namespace, "drift", "Normal", "DriftCorrected");
    await deploymentWhere(file.namespace, "drift", "replicas put back to 2", (d) => d.spec?.replicas === 2);

    expect((await kubectl(["set", "env", "deployment/drift", `${ENV.threads}=99`, "-n", file.namespace])).exitCode).toBe(0);
    const fixed = await deploymentWhere(file.namespace, "drift", "threads env put back to 3", (d) => envOf(d)[ENV.threads] === "3");
    expect(fixed.metadata?.annotations?.["example.com/owner"]).toBe("team-a");
    expect(fixed.spec?.minReadySeconds).toBe(7);

    // A real change of the spec applies again, and still keeps the other manager's fields.
    await patchSpec(file.namespace, "drift", { threads: 4 });
    const changed = await deploymentWhere(file.namespace, "drift", "4 threads", (d) => envOf(d)[ENV.threads] === "4");
    expect(changed.metadata?.annotations?.["example.com/owner"]).toBe("team-a");
    expect(changed.spec?.minReadySeconds).toBe(7);
  });
});

describe("a ConfigMap source", () => {
  test("its content is checksummed into the pod template, so new content rolls the processes", async () => {
    const { core } = clients();
    await core.createNamespacedConfigMap({ namespace: file.namespace, body: { metadata: { name: "app-source" }, data: { "hello.mjs": "export default { fetch: () => new Response('v1') };" } } });
    const spec = specOf({ source: { type: "ConfigMap", configMap: { name: "app-source" } } });
    delete spec.image;
    await createGroup(file.namespace, "from-configmap", spec);
    const checksum = (d: V1Deployment) => d.spec?.template?.metadata?.annotations?.[SOURCE_CHECKSUM_ANNOTATION];
    const before = await deploymentWhere(file.namespace, "from-configmap", "a source checksum", (d) => checksum(d) !== undefined);
    expect(before.spec?.template?.spec?.volumes?.find((v) => v.configMap)?.configMap?.name).toBe("app-source");

    await core.replaceNamespacedConfigMap({ name: "app-source", namespace: file.namespace, body: { metadata: { name: "app-source" }, data: { "hello.mjs": "export default { fetch: () => new Response('v2') };" } } });
    const after = await deploymentWhere(file.namespace, "from-configmap", "a new source checksum", (d) => checksum(d) !== undefined && checksum(d) !== checksum(before));
    expect(checksum(after)).toMatch(/^sha256:[0-9a-f]{64}$/);
  });
});

describe("a spec that cannot work", () => {
  test("a missing ConfigMap: Degraded with a Warning event, no Deployment; creating it recovers", async () => {
    const spec = specOf({ source: { type: "ConfigMap", configMap: { name: "not-yet" } } });
    delete spec.image;
    await createGroup(file.namespace, "no-configmap", spec);
    const degraded = await groupWhere(file.namespace, "no-configmap", "Degraded", (g) => conditionOf(g, "Degraded")?.status === "True");
    expect(conditionOf(degraded, "Degraded")).toMatchObject({ reason: "ConfigMapMissing" });
    expect(conditionOf(degraded, "Degraded")?.message).toContain("not-yet");
    expect(conditionOf(degraded, "Ready")?.status).toBe("False");
    const warning = await eventWhere(file.namespace, "no-configmap", "Warning", "ConfigMapMissing");
    expect(warning.message).toContain("not-yet");
    expect(await readDeployment(file.namespace, "no-configmap")).toBeUndefined();

    await clients().core.createNamespacedConfigMap({ namespace: file.namespace, body: { metadata: { name: "not-yet" }, data: { "hello.mjs": "" } } });
    await groupWhere(file.namespace, "no-configmap", "no longer Degraded", (g) => conditionOf(g, "Degraded")?.status === "False");
    await eventWhere(file.namespace, "no-configmap", "Normal", "Recovered");
    await deploymentWhere(file.namespace, "no-configmap", "created", () => true);
  });

  test("no image for an Image source: Degraded until spec.image is set", async () => {
    const spec = specOf();
    delete spec.image;
    await createGroup(file.namespace, "no-image", spec);
    await groupWhere(file.namespace, "no-image", "Degraded ImageMissing", (g) => conditionOf(g, "Degraded")?.reason === "ImageMissing");
    await eventWhere(file.namespace, "no-image", "Warning", "ImageMissing");
    await patchSpec(file.namespace, "no-image", { image: TEST_IMAGE });
    await groupWhere(file.namespace, "no-image", "recovered", (g) => conditionOf(g, "Degraded")?.status === "False");
    await deploymentWhere(file.namespace, "no-image", "the image", (d) => d.spec?.template?.spec?.containers?.[0]?.image === TEST_IMAGE);
  });

  test("an app whose requires would contradict the group after kubectl scale: the API server refuses the scale, the group stays healthy", async () => {
    // The operator's own handling of such a spec (Degraded RequirementsContradicted) is
    // unit-tested in operator/src/reconcile/reconcile.test.ts: the CRD's CEL rule keeps it
    // from ever being stored, even through the scale subresource, as this shows.
    await createGroup(file.namespace, "needs-one", specOf({ threads: 4, applications: [{ name: "debugger", mount: "/", entry: "debug.mjs", requires: { multiprocess: false } }] }));
    await groupWhere(file.namespace, "needs-one", "observed", (g) => g.status?.observedGeneration === g.metadata.generation);
    const scaled = await kubectl(["scale", "processgroup/needs-one", "--replicas=2", "-n", file.namespace]);
    expect(scaled.exitCode).not.toBe(0);
    expect(scaled.stderr).toContain("requires.multiprocess");
    const group = await readGroup(file.namespace, "needs-one");
    expect(group.status).toMatchObject({ processes: 1, multiprocess: false });
    expect(conditionOf(group, "Degraded")?.status).toBe("False");
  });
});

describe("spec.route", () => {
  const ingressPaths = async (name: string) => {
    const ingress = await clients().networking.readNamespacedIngress({ name, namespace: file.namespace }).catch(() => undefined);
    return ingress?.spec?.rules?.[0]?.http?.paths.map((p) => p.path).sort();
  };

  test("groups on one host own their mounts; a mount claimed twice is Degraded on the newer group", async () => {
    const host = "shop.example.com";
    await createGroup(file.namespace, "shop-front", specOf({ route: { host }, applications: [{ name: "front", mount: "/", entry: "a.mjs" }, { name: "blog", mount: "/blog", entry: "b.mjs" }] }));
    await until("the older group's Ingress", 30_000, async () => ((await ingressPaths("shop-front"))?.length === 2 ? true : undefined));
    // creationTimestamp has whole seconds: let the second group be visibly newer (on a tie the name decides).
    const created = Date.parse((await clients().custom.getNamespacedCustomObject({ ...processGroupApi, namespace: file.namespace, name: "shop-front" }) as { metadata: { creationTimestamp: string } }).metadata.creationTimestamp);
    await until("the next second", 5_000, async () => (Date.now() >= created + 1_000 ? true : undefined));
    await createGroup(file.namespace, "shop-api", specOf({ route: { host }, applications: [{ name: "api", mount: "/api", entry: "a.mjs" }, { name: "blog", mount: "/blog", entry: "b.mjs" }] }));

    const newer = await groupWhere(file.namespace, "shop-api", "Degraded MountConflict", (g) => conditionOf(g, "Degraded")?.reason === "MountConflict");
    expect(conditionOf(newer, "Degraded")?.message).toContain("/blog");
    expect(conditionOf(newer, "Degraded")?.message).toContain("shop-front");
    expect(await ingressPaths("shop-api")).toEqual(["/api"]);
    expect(await ingressPaths("shop-front")).toEqual(["/", "/blog"]);
    expect(conditionOf(await readGroup(file.namespace, "shop-front"), "Degraded")?.status).toBe("False");
    const ingress = await clients().networking.readNamespacedIngress({ name: "shop-api", namespace: file.namespace });
    expect(ingress.spec?.rules?.[0]).toMatchObject({ host, http: { paths: [{ path: "/api", pathType: "Prefix", backend: { service: { name: "shop-api", port: { name: "http" } } } }] } });

    // The older group leaves: the newer one gets the mount and recovers.
    await clients().custom.deleteNamespacedCustomObject({ ...processGroupApi, namespace: file.namespace, name: "shop-front" });
    await groupWhere(file.namespace, "shop-api", "recovered", (g) => conditionOf(g, "Degraded")?.status === "False");
    await until("the mount to move", 30_000, async () => ((await ingressPaths("shop-api"))?.join() === "/api,/blog" ? true : undefined));

    // No route: the Ingress is pruned.
    await patchSpec(file.namespace, "shop-api", { route: null });
    await until("the Ingress to be pruned", 30_000, async () => ((await ingressPaths("shop-api")) === undefined ? true : undefined));
    await eventWhere(file.namespace, "shop-api", "Normal", "Deleted");
  });
});

describe("observability", () => {
  test("/healthz, /readyz and /metrics answer, with reconciles, durations, queue depth, API requests and leader status", async () => {
    const base = `http://127.0.0.1:${file.operator.port}`;
    expect((await fetch(`${base}/healthz`)).status).toBe(200);
    expect((await fetch(`${base}/readyz`)).status).toBe(200);
    const metrics = await (await fetch(`${base}/metrics`)).text();
    expect(metrics).toMatch(/^processgroup_operator_reconciles_total\{result="success"\} [1-9]/m);
    expect(metrics).toMatch(/^processgroup_operator_reconcile_duration_seconds_count [1-9]/m);
    expect(metrics).toMatch(/^processgroup_operator_queue_depth \d+/m);
    expect(metrics).toMatch(/^processgroup_operator_api_requests_total\{verb="patch",resource="deployments",code="200"\} [1-9]/m);
    expect(metrics).toMatch(/^processgroup_operator_leader 1$/m);
  });
});
