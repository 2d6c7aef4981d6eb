import { PatchStrategy, setHeaderOptions, type V1Pod } from "@kubernetes/client-node";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import type { Operator } from "../../operator/src/operator.ts";
import { until } from "../support/until.ts";
import { startOperator } from "./operator-support/in-process-operator.ts";
import { clients, conditionOf, createGroup, deploymentWhere, eventsFor, groupWhere, patchSpec, specOf } from "./operator-support/process-groups.ts";
import { controlPlane } from "./support/control-plane.ts";
import { applyCrd } from "./support/crd.ts";
import { createTestNamespace, type TestNamespace } from "./support/namespace.ts";

// kwok's pods run nothing, so each of the group's Ready pods gets a loopback address of its
// own (written into its status, where a kubelet would write the pod's IP), and on that
// address a real HTTP server answers /metrics in the runtime's format with the load the
// test sets. The operator reads them through the pod IP, as it does in a cluster; only the
// port is the test's (pods here have no admin port 9090 of their own).

interface Load {
  busy: number;
  threads: number;
  queue: number;
}

const THREADS = 4;
const metricsText = ({ busy, threads, queue }: Load) =>
  [
    "# TYPE processgroup_threads gauge",
    `processgroup_threads{application_group="hello",state="busy"} ${busy}`,
    `processgroup_threads{application_group="hello",state="idle"} ${threads - busy}`,
    "# TYPE processgroup_queue_length gauge",
    `processgroup_queue_length{application_group="hello"} ${queue}`,
    "",
  ].join("\n");

/** Stand-ins for the pods' admin ports: one server per loopback address, all on one port. */
class PodEndpoints {
  readonly #servers: Server[] = [];
  readonly #loads = new Map<string, Load>();
  #next = 10;
  port = 0;
  load: Load = { busy: 0, threads: THREADS, queue: 0 };

  async #listen(ip: string): Promise<void> {
    const server = createServer((req, res) => {
      if (req.url !== "/metrics") return void res.writeHead(404).end();
      res.writeHead(200, { "content-type": "text/plain; version=0.0.4" }).end(metricsText(this.#loads.get(ip) ?? this.load));
    });
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen({ host: ip, port: this.port }, () => resolve());
    });
    if (this.port === 0) this.port = (server.address() as AddressInfo).port;
    this.#servers.push(server);
  }

  async start(): Promise<void> {
    await this.#listen(`127.0.0.${this.#next++}`);
  }

  /** A fresh address with a server on it, for one more pod. */
  async address(): Promise<string> {
    const ip = `127.0.0.${this.#next++}`;
    await this.#listen(ip);
    return ip;
  }

  async stop(): Promise<void> {
    for (const s of this.#servers) {
      s.closeAllConnections();
      await new Promise((resolve) => s.close(resolve));
    }
  }
}

const isReady = (pod: V1Pod) => pod.status?.conditions?.some((c) => c.type === "Ready" && c.status === "True") ?? false;

describe.skipIf(process.env["PROCESSGROUP_TEST_PROFILE"] === "apiserver")("elastic processes (kwok pods, metrics on loopback)", () => {
  const endpoints = new PodEndpoints();
  let ns: TestNamespace;
  let operator: Operator;
  let stopAddressing = false;
  let addressing: Promise<void> = Promise.resolve();

  /** Gives every Ready pod of the group a loopback IP with a metrics server, as pods appear. */
  async function addressPods(namespace: string): Promise<void> {
    const given = new Set<string>();
    while (!stopAddressing) {
      const pods = (await clients().core.listNamespacedPod({ namespace })).items;
      for (const pod of pods) {
        const name = pod.metadata?.name ?? "";
        if (!isReady(pod) || pod.metadata?.deletionTimestamp || pod.status?.podIP?.startsWith("127.")) continue;
        if (given.has(name)) throw new Error(`pod ${name} lost the IP the test gave it: kwok rewrote its status`);
        const ip = await endpoints.address();
        await clients().core.patchNamespacedPodStatus(
          { name, namespace, body: { status: { podIP: ip, podIPs: [{ ip }] } } },
          setHeaderOptions("Content-Type", PatchStrategy.MergePatch),
        );
        given.add(name);
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  beforeAll(async () => {
    expect(controlPlane().profile).toBe("full");
    await applyCrd();
    await endpoints.start();
    ns = await createTestNamespace("operator-elastic", { pods: true });
    operator = await startOperator([ns.name], { elastic: { metricsPort: endpoints.port, intervalMs: 300, scrapeTimeoutMs: 500 } });
    addressing = addressPods(ns.name);
  });
  afterAll(async () => {
    stopAddressing = true;
    await addressing.catch(() => undefined);
    await operator?.stop();
    await ns?.delete();
    await endpoints.stop();
  });

  test("a queue scales the Deployment up within max; idle load scales it back to the minimum after the window; status, events and metrics say why", async () => {
    const namespace = ns.name;
    await createGroup(namespace, "web", specOf({ threads: THREADS, elastic: { maxProcesses: 3, scaleDownStabilizationSeconds: 3 } }));

    // Idle at the minimum (1, processes omitted), the group multiprocess all the same.
    const idle = await groupWhere(namespace, "web", "ScalingActive with the pod read", (g) => conditionOf(g, "ScalingActive")?.status === "True", 60_000);
    expect(idle.status).toMatchObject({ processes: 1, desiredProcesses: 1, multiprocess: true });
    expect(conditionOf(idle, "ScalingActive")?.message).toContain(`0 of ${THREADS} threads busy`);

    // Saturated with 5 waiting: 9 requests need 4 processes at 70% of 4 threads, max is 3.
    endpoints.load = { busy: THREADS, threads: THREADS, queue: 5 };
    await deploymentWhere(namespace, "web", "3 replicas", (d) => d.spec?.replicas === 3, 30_000);
    const up = await groupWhere(namespace, "web", "desired 3", (g) => g.status?.desiredProcesses === 3 && g.status.lastScaleTime !== undefined);
    expect(conditionOf(up, "ScalingActive")).toMatchObject({ status: "True", reason: "QueueNotEmpty" });
    const scaledUp = await until("a Scaled event up to 3", 30_000, async () => (await eventsFor(namespace, "web")).find((e) => e.reason === "Scaled" && e.message?.includes("to 3 processes")));
    expect(scaledUp.message).toContain("(QueueNotEmpty)");
    expect(scaledUp.message).toContain("limited to maxProcesses 3");

    // Load gone: the 3 pods idle; down only after the 3 s window, straight to the minimum.
    await until("3 ready pods with their IPs", 60_000, async () => {
      const pods = (await clients().core.listNamespacedPod({ namespace })).items.filter((p) => isReady(p) && p.status?.podIP?.startsWith("127."));
      return pods.length === 3 ? true : undefined;
    });
    endpoints.load = { busy: 0, threads: THREADS, queue: 0 };
    const idleFrom = Date.now();
    await groupWhere(namespace, "web", "Stabilizing", (g) => conditionOf(g, "ScalingActive")?.reason === "Stabilizing", 30_000);
    await deploymentWhere(namespace, "web", "back to 1 replica", (d) => d.spec?.replicas === 1, 30_000);
    // The last high recommendation may have been read just before the load dropped.
    expect(Date.now() - idleFrom).toBeGreaterThanOrEqual(2_500);
    const down = await until("a Scaled event down to 1", 30_000, async () => (await eventsFor(namespace, "web")).find((e) => e.reason === "Scaled" && e.message?.includes("from 3 to 1 processes")));
    expect(down.message).toContain("(BelowTarget)");

    const metrics = await operator.metrics.registry.getSingleMetricAsString("processgroup_operator_elastic_decisions_total");
    expect(metrics).toMatch(/reason="QueueNotEmpty",direction="up"} [1-9]/);
    expect(metrics).toMatch(/reason="BelowTarget",direction="down"} [1-9]/);

    // kubectl scale moves the minimum: the Deployment follows at once, whatever the load.
    await patchSpec(namespace, "web", { processes: 2 });
    await deploymentWhere(namespace, "web", "2 replicas (the new minimum)", (d) => d.spec?.replicas === 2, 30_000);
    const raised = await groupWhere(namespace, "web", "OutsideLimits", (g) => conditionOf(g, "ScalingActive")?.reason === "OutsideLimits" || g.status?.desiredProcesses === 2);
    expect(raised.status?.desiredProcesses).toBe(2);
  });
});
