import { CoreV1Api, KubernetesObjectApi, PatchStrategy, type KubernetesObject } from "@kubernetes/client-node";
import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseWith, ProcessGroup } from "../../crds/index.ts";
import { render } from "../../operator/src/render/render.ts";
import { LeaseClient, type LeaseApiAccess } from "../../runtime/src/once/lease-client.ts";
import { DONE_ANNOTATION, leaseNameOf, leaseOnce } from "../../runtime/src/once/lease-once.ts";
import { kubeConfig } from "./support/control-plane.ts";
import { createTestNamespace, type TestNamespace } from "./support/namespace.ts";

// The runtime's Lease client (node:https, no @kubernetes/client-node) against the real API
// server, authenticated as the group's own ServiceAccount with the Role the operator renders.

const GROUP = "shop";
let ns: TestNamespace;
let other: TestNamespace;
let access: LeaseApiAccess;

function groupIn(namespace: string): ProcessGroup {
  const parsed = parseWith(ProcessGroup, {
    apiVersion: "processgroup.dev/v1alpha1",
    kind: "ProcessGroup",
    metadata: { name: GROUP, namespace },
    spec: { applications: [{ name: "a", mount: "/", entry: "a.mjs" }] },
  });
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.problems));
  return parsed.value;
}

beforeAll(async () => {
  ns = await createTestNamespace("once-leases");
  other = await createTestNamespace("once-other");
  const admin = kubeConfig();
  const objects = KubernetesObjectApi.makeApiClient(admin);
  const { serviceAccount, role, roleBinding } = render(groupIn(ns.name));
  for (const object of [serviceAccount, role, roleBinding] as KubernetesObject[]) await objects.patch(object, undefined, undefined, "once-test", true, PatchStrategy.ServerSideApply);
  const token = await admin.makeApiClient(CoreV1Api).createNamespacedServiceAccountToken({
    name: serviceAccount.metadata?.name ?? "",
    namespace: ns.name,
    body: { spec: { audiences: [], expirationSeconds: 3600 } },
  });
  const cluster = admin.getCurrentCluster();
  if (!cluster || !token.status?.token) throw new Error("no cluster or token");
  const ca = cluster.caData ? Buffer.from(cluster.caData, "base64").toString("utf8") : cluster.caFile ? readFileSync(cluster.caFile, "utf8") : undefined;
  const bearer = token.status.token;
  access = { server: new URL(cluster.server), ca, token: () => bearer };
});

afterAll(async () => {
  await ns?.delete();
  await other?.delete();
});

const backend = (revision: string, takeoverMs = 15_000, namespace = () => ns.name) => leaseOnce({ client: new LeaseClient(access), namespace: namespace(), group: GROUP, revision, takeoverMs });

describe("env.once() Leases on the real API server", () => {
  it("two processes race for each of 5 keys: exactly one wins each", async () => {
    const a = backend("r1");
    const b = backend("r1");
    for (const key of ["k0", "k1", "k2", "k3", "k4"]) {
      const [da, db] = await Promise.all([a.claim(key, "pod-a/1/1"), b.claim(key, "pod-b/1/1")]);
      expect([da.kind, db.kind].sort(), key).toEqual(["held", "run"]);
    }
    const lease = await new LeaseClient(access).get(ns.name, leaseNameOf(GROUP, "r1", "k0"));
    expect(lease?.metadata.labels).toMatchObject({ "processgroup.dev/name": GROUP, "processgroup.dev/revision": "r1", "processgroup.dev/once-key": "k0" });
    expect(["pod-a/1/1", "pod-b/1/1"]).toContain(lease?.spec?.holderIdentity);
    expect(lease?.spec?.leaseDurationSeconds).toBe(15);
  });

  it("a holder that stops renewing is taken over once the lease duration has passed; a released run at once", async () => {
    const a = backend("r2", 1_000);
    const b = backend("r2", 1_000);
    expect((await a.claim("stalled", "pod-a/1/1")).kind).toBe("run");
    expect(await a.renew("stalled", "pod-a/1/1")).toBe(true);
    expect((await b.claim("stalled", "pod-b/1/1")).kind).toBe("held");
    await new Promise((resolve) => setTimeout(resolve, 1_100));
    expect(await b.claim("stalled", "pod-b/1/2")).toEqual({ kind: "run", takeover: true });
    expect(await a.renew("stalled", "pod-a/1/1")).toBe(false);
    const lease = await new LeaseClient(access).get(ns.name, leaseNameOf(GROUP, "r2", "stalled"));
    expect(lease?.spec?.holderIdentity).toBe("pod-b/1/2");
    expect(lease?.spec?.leaseTransitions).toBe(1);

    expect((await a.claim("released", "pod-a/1/3")).kind).toBe("run");
    await a.release("released", "pod-a/1/3");
    expect(await b.claim("released", "pod-b/1/4")).toEqual({ kind: "run", takeover: true });
  });

  it("a finished run is remembered by later callers and restarted pods of the rollout; a new rollout runs it again", async () => {
    const a = backend("r3");
    expect((await a.claim("resume", "pod-a/1/1")).kind).toBe("run");
    await a.finish("resume", "pod-a/1/1", "the queue is gone");
    const restarted = backend("r3");
    expect(await restarted.claim("resume", "pod-c/7/1")).toEqual({ kind: "done", error: "the queue is gone" });
    const lease = await new LeaseClient(access).get(ns.name, leaseNameOf(GROUP, "r3", "resume"));
    expect(lease?.metadata.annotations?.[DONE_ANNOTATION]).toBe("true");
    expect((await backend("r4").claim("resume", "pod-d/1/1")).kind).toBe("run");
  });

  it("the group's account cannot touch Leases in another namespace: a clear error", async () => {
    await expect(backend("r1", 15_000, () => other.name).claim("k", "pod-a/1/1")).rejects.toThrow(/the API server refused to (read|create) a Lease: HTTP 403: .*forbidden/);
  });
});
