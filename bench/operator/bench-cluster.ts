import { CoreV1Api, KubeConfig } from "@kubernetes/client-node";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import type { ControlPlaneState } from "../../test/controlplane/control-plane-state.ts";
import { startControlPlane, stopControlPlane } from "../../test/controlplane/control-plane.ts";
import { createFakeNodes } from "../../test/controlplane/fake-nodes.ts";
import { waitForDefaultServiceAccount } from "../../test/controlplane/service-accounts.ts";
import { OperatorProcess, operatorArgs } from "../../test/support/operator-process.ts";
import { installCrd } from "../../test/support/process-group-crd.ts";
import type { Progress, Teardown } from "./teardown.ts";

/**
 * The operator runs with its defaults except the resync period: 30 s instead of 300 s, so
 * every steady-state window holds full resync rounds (reconciles that must write nothing).
 * The concurrency is passed although it is the default, so the report stays true if it changes.
 */
export const OPERATOR_SETTINGS = { concurrency: 4, resyncPeriodS: 30 } as const;

// A kubelet's default (and kwok's nodes here) takes 110 pods; keep some slack.
const podsPerNode = 100;

export interface BenchCluster {
  readonly state: ControlPlaneState;
  readonly kc: KubeConfig;
  readonly operator: OperatorProcess;
  readonly operatorPid: number;
  /** The operator's /metrics port. */
  readonly operatorPort: number;
}

/**
 * A `full` control plane of our own (random ports, a temp dir), enough kwok nodes for `pods`,
 * the CRD, and `processgroup operator` as a child process, watching every namespace as a
 * cluster-wide install does. Everything started is registered with `teardown`; the temp dir
 * goes too unless the run failed (its logs/ then say why).
 */
export async function startBenchCluster(options: { pods: number; teardown: Teardown; progress: Progress; succeeded: () => boolean }): Promise<BenchCluster> {
  const { teardown, progress } = options;
  const dir = await mkdtemp(join(tmpdir(), "processgroup-bench-operator-"));
  teardown.add("remove the temp dir", async () => {
    if (options.succeeded()) await rm(dir, { recursive: true, force: true });
    else progress(`logs kept in ${join(dir, "logs")}`);
  });
  const state = await startControlPlane({ profile: "full", dir, detached: false, progress: (line) => progress(`[controlplane] ${line}`) });
  teardown.add("stop the control plane", () => stopControlPlane(state, (line) => progress(`[controlplane] ${line}`)));

  const kc = new KubeConfig();
  kc.loadFromFile(state.kubeconfig);
  const nodes = (await kc.makeApiClient(CoreV1Api).listNode({ labelSelector: "type=kwok" })).items.length;
  const wanted = Math.ceil(options.pods / podsPerNode);
  if (wanted > nodes) {
    await createFakeNodes(kc, wanted - nodes, 120_000, nodes);
    progress(`${wanted} kwok nodes Ready (room for ${options.pods} pods)`);
  }
  await installCrd(kc, "processgroup-bench");

  const identity = "bench-operator";
  const args = ["--concurrency", String(OPERATOR_SETTINGS.concurrency), "--resync-period", String(OPERATOR_SETTINGS.resyncPeriodS)];
  // Node and V8 flags for the operator's process alone (the chart's NODE_OPTIONS), to weigh them here.
  const nodeOptions = process.env["BENCH_OPERATOR_NODE_OPTIONS"] ?? "";
  const env = nodeOptions === "" ? process.env : { ...process.env, NODE_OPTIONS: nodeOptions };
  const operator = new OperatorProcess(identity, operatorArgs(state.kubeconfig, identity, args), env);
  const killOnExit = (): void => operator.kill();
  process.once("exit", killOnExit);
  teardown.add("stop the operator", async () => {
    process.off("exit", killOnExit);
    const exited = operator.stop("SIGTERM");
    if ((await Promise.race([exited, sleep(15_000).then(() => "timeout" as const)])) === "timeout") {
      progress("the operator did not stop within 15 s of SIGTERM; killing it");
      operator.kill();
    }
  });
  const pid = operator.pid;
  if (pid === undefined) throw new Error(`the operator did not start: ${operator.stderr}`);
  const operatorPort = await operator.port();
  await operator.logged("caches synced; reconciling", 120_000);
  progress(`operator running (pid ${pid}, metrics on 127.0.0.1:${operatorPort}, leader election on, ${args.join(" ")}${nodeOptions === "" ? "" : `, NODE_OPTIONS=${nodeOptions}`})`);
  return { state, kc, operator, operatorPid: pid, operatorPort };
}

/** A namespace whose `default` ServiceAccount exists, so pods (from ReplicaSets) are admitted at once. */
export async function createNamespace(kc: KubeConfig, name: string): Promise<string> {
  await kc.makeApiClient(CoreV1Api).createNamespace({ body: { metadata: { name } } });
  await waitForDefaultServiceAccount(kc, name, 60_000);
  return name;
}
