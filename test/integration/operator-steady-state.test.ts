import { expect, test } from "vitest";
import { WRITE_VERBS } from "../../operator/src/observability/metrics.ts";
import { controlPlane } from "./support/control-plane.ts";
import { until } from "../support/until.ts";
import { useOperator } from "./operator-support/in-process-operator.ts";
import { clients, conditionOf, createGroup, groupWhere, specOf } from "./operator-support/process-groups.ts";

const file = useOperator("operator-steady", { pods: true, resyncPeriodMs: 200 });

interface Counters {
  writes: number;
  reconciles: number;
  /** Write requests so far by "verb resource code". */
  writeRequests: Record<string, number>;
}

async function counters(): Promise<Counters> {
  const { values } = await file.operator.metrics.reconciles.get();
  const writeRequests = Object.fromEntries(
    (await file.operator.metrics.apiRequests.get()).values
      .filter((v) => WRITE_VERBS.has(String(v.labels.verb)))
      .map((v) => [`${v.labels.verb} ${v.labels.resource} ${v.labels.code}`, v.value]),
  );
  return { writes: await file.operator.metrics.writes(), reconciles: values.reduce((sum, v) => sum + v.value, 0), writeRequests };
}

/** Waits until `rounds` more reconciles of every group have run, and returns the counters then. */
async function afterReconciles(groups: number, rounds: number): Promise<Counters> {
  const start = await counters();
  return until(`${rounds} rounds of reconciles`, 60_000, async () => {
    const now = await counters();
    return now.reconciles >= start.reconciles + groups * rounds ? now : undefined;
  });
}

test("with nothing changing, reconciles go on but the operator sends no write to the API server", async () => {
  const { core } = clients();
  await core.createNamespacedConfigMap({ namespace: file.namespace, body: { metadata: { name: "src" }, data: { "a.mjs": "export default {}" } } });
  const names = ["plain", "routed", "from-configmap", "quantities", "broken"];
  await createGroup(file.namespace, "plain", specOf({ processes: 2, threads: 4, env: [{ name: "EMPTY", value: "" }, { name: "GREETING", value: "hi" }] }));
  await createGroup(file.namespace, "routed", specOf({ route: { host: "steady.example.com" } }));
  const fromConfigMap = specOf({ source: { type: "ConfigMap", configMap: { name: "src" } } });
  delete fromConfigMap.image;
  await createGroup(file.namespace, "from-configmap", fromConfigMap);
  // The API server rewrites these quantities (0.5 -> 500m, 1024Mi -> 1Gi); that is not drift.
  await createGroup(file.namespace, "quantities", specOf({ resources: { requests: { cpu: "0.5", memory: "1024Mi" }, limits: { cpu: 1, memory: "2Gi" } } }));
  const broken = specOf({ source: { type: "ConfigMap", configMap: { name: "missing" } } });
  delete broken.image;
  await createGroup(file.namespace, "broken", broken);

  for (const name of names) await groupWhere(file.namespace, name, "status observed", (g) => g.status?.observedGeneration === g.metadata.generation && conditionOf(g, "Degraded") !== undefined);
  // With kwok the pods come up and the status follows; idle starts once they are all Ready.
  if (controlPlane().profile === "full") {
    for (const name of names.filter((n) => n !== "broken")) await groupWhere(file.namespace, name, "Ready", (g) => conditionOf(g, "Ready")?.status === "True", 60_000);
  }

  // Converged: several full rounds in a row without a write (pods coming up in the full profile still change status).
  let before = await counters();
  await until("the operator to settle", 60_000, async () => {
    const after = await afterReconciles(names.length, 5);
    const settled = after.writes === before.writes;
    before = after;
    return settled ? true : undefined;
  });

  const idleStart = await counters();
  const idleEnd = await afterReconciles(names.length, 10);
  expect(idleEnd.reconciles - idleStart.reconciles).toBeGreaterThanOrEqual(names.length * 10);
  // On failure, the request counts say which write it was.
  expect(idleEnd.writeRequests).toEqual(idleStart.writeRequests);
  expect(idleEnd.writes - idleStart.writes).toBe(0);
});
