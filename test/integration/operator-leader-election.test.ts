import { CoordinationV1Api } from "@kubernetes/client-node";
import { afterAll, beforeAll, expect, test } from "vitest";
import { kubeConfig } from "./support/control-plane.ts";
import { applyCrd } from "./support/crd.ts";
import { createTestNamespace, type TestNamespace } from "./support/namespace.ts";
import { ChildOperator } from "./operator-support/child-operator.ts";
import { createGroup, deploymentWhere, specOf } from "./operator-support/process-groups.ts";

let ns: TestNamespace;
const children: ChildOperator[] = [];

beforeAll(async () => {
  await applyCrd();
  ns = await createTestNamespace("operator-leader");
});

afterAll(async () => {
  for (const child of children) child.kill();
  await ns?.delete();
});

function operatorProcess(identity: string): ChildOperator {
  // Short lease timings keep the test quick; the release on SIGTERM is what makes the handover prompt.
  const child = new ChildOperator(identity, ["--namespaces", ns.name, "--lease-namespace", ns.name, "--lease-duration", "4", "--renew-deadline", "3", "--retry-period", "0.25", "--log-level", "debug"]);
  children.push(child);
  return child;
}

test("two operator processes: one leads; on SIGTERM it releases the lease and the other takes over", async () => {
  const a = operatorProcess("replica-a");
  await a.logged("became leader");
  await a.logged("caches synced; reconciling");
  const b = operatorProcess("replica-b");
  await b.logged("operator started");

  await createGroup(ns.name, "before-handover", specOf({ processes: 2 }));
  await deploymentWhere(ns.name, "before-handover", "made by the leader", (d) => d.spec?.replicas === 2);
  await a.logged("reconciled", 30_000, { namespace: ns.name, name: "before-handover" });
  expect(b.lines.some((l) => l.msg === "became leader")).toBe(false);
  expect(b.lines.some((l) => l.msg === "reconciled" || l.msg === "reconciled; nothing to change")).toBe(false);

  // The standby is ready (it is doing its job: waiting) and says it does not lead.
  expect((await b.get("/readyz")).status).toBe(200);
  expect((await b.get("/metrics")).body).toMatch(/^processgroup_operator_leader 0$/m);
  expect((await a.get("/metrics")).body).toMatch(/^processgroup_operator_leader 1$/m);
  expect((await a.get("/healthz")).status).toBe(200);

  expect(await a.stop("SIGTERM")).toBe(0);
  await a.logged("released the lease");
  await b.logged("became leader");
  await createGroup(ns.name, "after-handover", specOf({ processes: 3 }));
  await deploymentWhere(ns.name, "after-handover", "made by the new leader", (d) => d.spec?.replicas === 3);

  const lease = await kubeConfig().makeApiClient(CoordinationV1Api).readNamespacedLease({ name: "processgroup-operator", namespace: ns.name });
  expect(lease.spec?.holderIdentity).toBe("replica-b");
  expect(lease.spec?.leaseTransitions).toBeGreaterThanOrEqual(1);
  expect(await b.stop("SIGTERM")).toBe(0);
});
