import { AppsV1Api, CustomObjectsApi } from "@kubernetes/client-node";
import { setTimeout as sleep } from "node:timers/promises";
import { afterAll, beforeAll, expect, test } from "vitest";
import { ProcessGroupStatus } from "../../crds/index.ts";
import { FIELD_MANAGER } from "../../operator/src/render/labels.ts";
import { controlPlane, kubeConfig } from "../integration/support/control-plane.ts";
import { applyCrd } from "../integration/support/crd.ts";
import { createTestNamespace, type TestNamespace } from "../integration/support/namespace.ts";
import { processGroupApi } from "../support/process-group-crd.ts";
import { unlessTimedOut, until } from "../support/until.ts";
import { chaosMode, chaosSeed } from "./support/figures.ts";
import { awaitConvergence } from "./support/operator-convergence.ts";
import { ChangeDriver } from "./support/operator-driver.ts";
import { reportOperatorScenario } from "./support/operator-figures.ts";
import { OperatorReplicas } from "./support/operator-replicas.ts";
import { RIVAL_CONDITION, RIVAL_LABEL, RivalWriter } from "./support/operator-rival.ts";

// While a driver changes ProcessGroups, another client writes the same objects: it forces its
// own replicas on the Deployments, applies without force (409), edits them from fresh and
// stale copies (409), overwrites the groups' status and updates it from stale copies (409),
// and adds a label of its own. The operator applies with force under its own field manager
// (docs/operator.md): its fields win, the other managers' fields stay, and once everything
// has converged it sends no write at all.

const long = chaosMode() === "long";
let ns: TestNamespace | undefined;
let replicas: OperatorReplicas | undefined;

beforeAll(async () => {
  await applyCrd();
  ns = await createTestNamespace("chaos-conflicts", { pods: true });
});

afterAll(async () => {
  await replicas?.kill();
  await ns?.delete();
});

/** Whether a managedFields entry holds the Deployment's spec.replicas. */
function ownsReplicas(fields: object | undefined): boolean {
  const spec: unknown = (fields as Record<string, unknown> | undefined)?.["f:spec"];
  return typeof spec === "object" && spec !== null && "f:replicas" in spec;
}

/** The leader's write requests so far (not counting its Lease renewals) and its reconciles. */
async function writesAndReconciles(operators: OperatorReplicas): Promise<{ writes: number; reconciles: number }> {
  const leader = operators.running.find((p) => p.lines.some((l) => l.msg === "caches synced; reconciling"));
  const metrics = (await leader?.get("/metrics"))?.body ?? "";
  const sum = (pattern: RegExp) => [...metrics.matchAll(pattern)].reduce((total, m) => total + Number(m[1]), 0);
  return {
    writes: sum(/^processgroup_operator_api_requests_total\{verb="(?:post|put|patch|delete)",resource="(?!leases")[^"]*",code="[^"]*"\} (\d+)$/gm),
    reconciles: sum(/^processgroup_operator_reconciles_total\{result="[^"]*"\} (\d+)$/gm),
  };
}

test("another client writes the same objects; the operator's fields win, others' stay, and it converges and goes quiet", async () => {
  if (!ns) throw new Error("no namespace");
  const namespace = ns.name;
  const kc = kubeConfig();
  // Resync every second: idleness below is measured over many full passes.
  const operators = new OperatorReplicas(controlPlane().kubeconfig, namespace, ["--resync-period", "1"]);
  replicas = operators;
  await operators.start(kc);
  const seed = chaosSeed();
  const driver = new ChangeDriver(kc, namespace, { maxGroups: long ? 12 : 6, seed });
  const rival = new RivalWriter(kc, namespace, () => driver.live);
  const started = Date.now();
  driver.start();
  rival.start();
  try {
    await sleep(long ? 120_000 : 10_000);
  } finally {
    await Promise.all([driver.stop(), rival.stop()]);
  }
  const drivenMs = Date.now() - started;
  // Another controller's condition on every group: the operator must leave it, and not fight it.
  for (const name of driver.live) await rival.addCondition(name);
  const convergence = await awaitConvergence(kc, namespace, driver, 180_000);

  const apps = kc.makeApiClient(AppsV1Api);
  const custom = kc.makeApiClient(CustomObjectsApi);
  const ownership: Record<string, string[]> = {};
  for (const name of driver.live) {
    const deployment = await apps.readNamespacedDeployment({ name, namespace });
    const owners = (deployment.metadata?.managedFields ?? []).filter((f) => ownsReplicas(f.fieldsV1)).map((f) => `${f.manager}/${f.operation}`);
    const problems = [
      ...(owners.join() === `${FIELD_MANAGER}/Apply` ? [] : [`spec.replicas owned by ${owners.join(", ")}`]),
      ...(deployment.metadata?.labels?.["app.kubernetes.io/managed-by"] === FIELD_MANAGER ? [] : ["managed-by label not the operator's"]),
      ...(!rival.labelled.has(name) || deployment.metadata?.labels?.[RIVAL_LABEL] === "true" ? [] : ["the rival's own label was removed"]),
    ];
    const status = ProcessGroupStatus.parse((await custom.getNamespacedCustomObject({ ...processGroupApi, namespace, name }) as { status?: unknown }).status);
    if (!status.conditions?.some((c) => c.type === RIVAL_CONDITION)) problems.push("the other controller's condition was removed");
    if (problems.length > 0) ownership[name] = problems;
  }

  // Quiet: several full resync passes over every group without a single write.
  const quiet = await until("the operator to go quiet", 60_000, async () => {
    const before = await writesAndReconciles(operators);
    await until("three more passes over every group", 30_000, async () => {
      const now = await writesAndReconciles(operators);
      return now.reconciles >= before.reconciles + 3 * driver.live.length ? true : undefined;
    });
    const after = await writesAndReconciles(operators);
    return after.writes === before.writes ? after : undefined;
  }).catch(unlessTimedOut(undefined));

  const moves = [...rival.moves].map(([move, n]) => `${move} ${n.taken}${n.conflicts > 0 ? ` (+${n.conflicts} refused 409)` : ""}`).join(", ");
  reportOperatorScenario({
    scenario: "operator: another client writes the same objects (conflicts) while ProcessGroups change",
    driver,
    drivenMs,
    replicas: operators,
    faults: `${rival.writes} rival writes to the groups' Deployments and status, ${rival.conflicts} of them refused with 409 Conflict: ${moves}`,
    convergence,
    seed,
    notes: `ownership after convergence: ${Object.keys(ownership).length === 0 ? "operator owns its fields, rival label and condition kept" : JSON.stringify(ownership)}; ${quiet ? "no write over 3 resync passes" : "still writing after convergence"}`,
  });

  expect(Object.fromEntries(convergence.notConverged)).toEqual({});
  expect(convergence.lost).toBe(0);
  expect(ownership).toEqual({});
  expect(quiet, "the operator kept writing after everything converged").toBeDefined();
  expect(rival.conflicts).toBeGreaterThan(0);
});
