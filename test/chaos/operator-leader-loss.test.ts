import { setTimeout as sleep } from "node:timers/promises";
import { afterAll, beforeAll, expect, test } from "vitest";
import { controlPlane, kubeConfig } from "../integration/support/control-plane.ts";
import { applyCrd } from "../integration/support/crd.ts";
import { createTestNamespace, type TestNamespace } from "../integration/support/namespace.ts";
import { chaosMode, chaosSeed } from "./support/figures.ts";
import { awaitConvergence } from "./support/operator-convergence.ts";
import { ChangeDriver } from "./support/operator-driver.ts";
import { reportOperatorScenario } from "./support/operator-figures.ts";
import { OperatorReplicas } from "./support/operator-replicas.ts";

// Two operator processes elect a leader; while a driver keeps creating, changing, scaling and
// deleting ProcessGroups, the leader is SIGKILLed again and again (no lease release, its
// reconciles cut off) and a replacement started. In the end every group is as last asked.

const long = chaosMode() === "long";
let ns: TestNamespace | undefined;
let replicas: OperatorReplicas | undefined;

beforeAll(async () => {
  await applyCrd();
  ns = await createTestNamespace("chaos-leader", { pods: true });
});

afterAll(async () => {
  await replicas?.kill();
  await ns?.delete();
});

test("the leader is killed repeatedly while ProcessGroups change; every group converges, no reconcile is lost", async () => {
  if (!ns) throw new Error("no namespace");
  const kc = kubeConfig();
  const operators = new OperatorReplicas(controlPlane().kubeconfig, ns.name);
  replicas = operators;
  await operators.start(kc);
  const seed = chaosSeed();
  const driver = new ChangeDriver(kc, ns.name, { maxGroups: long ? 16 : 8, seed });
  const kills = long ? 12 : 3;
  const handovers: number[] = [];
  const started = Date.now();
  driver.start();
  try {
    for (let i = 0; i < kills; i++) {
      await sleep(1_000 + Math.random() * 2_000);
      handovers.push(await operators.killLeader(kc));
    }
    await sleep(1_000);
  } finally {
    await driver.stop();
  }
  const drivenMs = Date.now() - started;
  const convergence = await awaitConvergence(kc, ns.name, driver, 180_000);
  reportOperatorScenario({
    scenario: "operator: leader SIGKILLed repeatedly while ProcessGroups change",
    driver,
    drivenMs,
    replicas: operators,
    faults: `SIGKILL of the leading replica x${handovers.length}, a new replica started each time; a survivor led with synced caches ${Math.min(...handovers)}-${Math.max(...handovers)} ms after each kill (lease 4 s)`,
    convergence,
    seed,
  });

  expect(Object.fromEntries(convergence.notConverged)).toEqual({});
  expect(convergence.lost).toBe(0);
  expect(handovers).toHaveLength(kills);
  // Exactly one replica leads at the end: the killed ones are gone, the rest stand by.
  const leaders = await Promise.all(operators.running.map(async (p) => (await p.get("/metrics")).body.match(/^processgroup_operator_leader 1$/m) !== null));
  expect(leaders.filter(Boolean)).toHaveLength(1);
});
