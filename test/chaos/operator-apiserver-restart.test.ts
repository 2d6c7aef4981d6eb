import { CoreV1Api } from "@kubernetes/client-node";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { afterAll, beforeAll, expect, test } from "vitest";
import { startControlPlane, stopControlPlane } from "../controlplane/control-plane.ts";
import type { ControlPlaneState } from "../controlplane/control-plane-state.ts";
import { freePorts } from "../controlplane/ports.ts";
import { isRunning, killNow, stopProcesses, type ProcessRecord } from "../controlplane/processes.ts";
import { waitForDefaultServiceAccount } from "../controlplane/service-accounts.ts";
import { firstApiserver, kubeConfigOn, startApiserver } from "../integration/support/apiservers.ts";
import { installCrd } from "../support/process-group-crd.ts";
import { until } from "../support/until.ts";
import { chaosMode, chaosSeed } from "./support/figures.ts";
import { awaitConvergence } from "./support/operator-convergence.ts";
import { ChangeDriver } from "./support/operator-driver.ts";
import { reportOperatorScenario } from "./support/operator-figures.ts";
import { OperatorReplicas } from "./support/operator-replicas.ts";

// The API server the operators (and the controllers, and kwok) talk to is stopped and started
// again, by SIGTERM and by SIGKILL in turn, while a driver keeps changing ProcessGroups through
// a second API server on the same etcd. That disturbs every client of the control plane, so
// the scenario runs on a control plane of its own (with kube-controller-manager, for garbage
// collection of deleted groups' children).

const long = chaosMode() === "long";
const linux = process.platform === "linux";
const silent = (): void => {};
let dir = "";
let state: ControlPlaneState | undefined;
let replicas: OperatorReplicas | undefined;

beforeAll(async () => {
  if (!linux) return;
  dir = await mkdtemp(join(tmpdir(), "pg-chaos-restart-"));
  state = await startControlPlane({ profile: "full", dir, detached: false, progress: silent });
}, 300_000);

afterAll(async () => {
  await replicas?.kill();
  if (state) await stopControlPlane(state, silent);
  if (dir) await rm(dir, { recursive: true, force: true });
});

/** Stops the API server (SIGTERM: a graceful shutdown; SIGKILL: a crash) and waits until it is gone. */
async function stopApiserver(record: ProcessRecord, signal: "SIGTERM" | "SIGKILL"): Promise<void> {
  if (signal === "SIGTERM") await stopProcesses([record], silent);
  else killNow([record]);
  await until(`kube-apiserver (pid ${record.pid}) to exit`, 30_000, () => (isRunning(record) ? undefined : true));
}

test.skipIf(!linux)("the API server restarts repeatedly while ProcessGroups change; every group converges, no reconcile is lost", async () => {
  const cp = state;
  if (!cp) throw new Error("no control plane");
  const first = await firstApiserver(cp);
  const operatorsSide = await kubeConfigOn(cp, dir, first.port);
  await installCrd(operatorsSide.kubeConfig, "processgroup-tests");
  const namespace = "chaos-restart";
  await operatorsSide.kubeConfig.makeApiClient(CoreV1Api).createNamespace({ body: { metadata: { name: namespace } } });
  await waitForDefaultServiceAccount(operatorsSide.kubeConfig, namespace, 60_000);
  const [secondPort = 0] = await freePorts(1);
  await startApiserver(cp, "kube-apiserver-2", first.args, secondPort);
  const driverSide = (await kubeConfigOn(cp, dir, secondPort)).kubeConfig;

  const operators = new OperatorReplicas(operatorsSide.file, namespace);
  replicas = operators;
  await operators.start(driverSide);
  const seed = chaosSeed();
  const driver = new ChangeDriver(driverSide, namespace, { maxGroups: long ? 16 : 8, seed });
  const restarts = long ? 6 : 2;
  const outages: number[] = [];
  const recoveries: number[] = [];
  let apiserver = first.record;
  const started = Date.now();
  driver.start();
  try {
    for (let i = 0; i < restarts; i++) {
      await sleep(1_000 + Math.random() * 1_000);
      const down = Date.now();
      await stopApiserver(apiserver, i % 2 === 0 ? "SIGTERM" : "SIGKILL");
      // Away for longer than the renew deadline (3 s) about half the time (the start adds a few
      // seconds more), so the leader sometimes keeps its lease and sometimes loses it.
      await sleep(1_000 + Math.random() * 2_500);
      apiserver = await startApiserver(cp, "kube-apiserver", first.args, first.port);
      outages.push(Date.now() - down);
      await operators.renewedAfter(driverSide, Date.now(), 120_000);
      recoveries.push(Date.now() - down);
    }
    await sleep(1_000);
  } finally {
    await driver.stop();
  }
  const drivenMs = Date.now() - started;
  const convergence = await awaitConvergence(driverSide, namespace, driver, 180_000);
  const seconds = (ms: number[]) => `${(Math.min(...ms) / 1000).toFixed(1)}-${(Math.max(...ms) / 1000).toFixed(1)} s`;
  reportOperatorScenario({
    scenario: "operator: its API server restarted repeatedly while ProcessGroups change",
    driver,
    drivenMs,
    replicas: operators,
    faults: `kube-apiserver stopped and started x${outages.length} (SIGTERM and SIGKILL in turn), away ${seconds(outages)}; the lease renewed again ${seconds(recoveries)} after each stop`,
    convergence,
    seed,
    notes: "changes made through a second API server on the same etcd, so they go on during each outage",
  });

  expect(Object.fromEntries(convergence.notConverged)).toEqual({});
  expect(convergence.lost).toBe(0);
  expect(outages).toHaveLength(restarts);
  // The operators rode it out: none of them exited.
  expect(operators.running).toHaveLength(operators.started.length);
});
