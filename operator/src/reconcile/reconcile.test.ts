import { ApiException, type KubernetesObject, type V1ConfigMap, type V1Deployment, type V1Ingress, type V1Pod, type V1Role, type V1RoleBinding, type V1Service, type V1ServiceAccount } from "@kubernetes/client-node";
import { describe, expect, test } from "vitest";
import type { ProcessGroupStatus } from "../../../crds/index.ts";
import type { EventNote } from "../events/event-recorder.ts";
import { FakeClock } from "../testing/fake-clock.ts";
import type { ChildKind, Children } from "./children.ts";
import { cachedConfigMap } from "./cached-objects.ts";
import { ElasticScaler } from "../elastic/elastic-scaler.ts";
import type { PodSample } from "../elastic/scaling-decision.ts";
import { reconcile, type ReconcileDeps } from "./reconcile.ts";

// The reconciler's ports, in memory: enough to check its decisions (what it writes, when it
// does not). The integration tests check the same against a real API server.

class MemoryKind<T extends KubernetesObject> implements ChildKind<T> {
  readonly objects = new Map<string, T>();
  applies = 0;
  removes = 0;
  refuse: ((object: T) => unknown) | undefined;
  readonly kind: string;
  constructor(kind: string) {
    this.kind = kind;
  }
  cached(namespace: string, name: string) {
    return this.objects.get(`${namespace}/${name}`);
  }
  async read(namespace: string, name: string) {
    return this.cached(namespace, name);
  }
  async apply(object: T) {
    const error = this.refuse?.(object);
    if (error) throw error;
    this.applies++;
    const stored = { ...object, metadata: { ...object.metadata, uid: `${this.kind}-uid` } };
    this.objects.set(`${object.metadata?.namespace}/${object.metadata?.name}`, stored);
    return stored;
  }
  async remove(namespace: string, name: string) {
    this.removes++;
    this.objects.delete(`${namespace}/${name}`);
  }
}

function world(spec: Record<string, unknown>) {
  const group: { object: Record<string, unknown> | undefined; statusWrites: number } = {
    object: {
      apiVersion: "processgroup.dev/v1alpha1",
      kind: "ProcessGroup",
      metadata: { name: "g", namespace: "ns", uid: "pg-uid", generation: 1, creationTimestamp: "2026-01-01T00:00:00Z" },
      spec,
    },
    statusWrites: 0,
  };
  const configMaps = new Map<string, V1ConfigMap>();
  const pods: V1Pod[] = [];
  const children = {
    serviceAccount: new MemoryKind<V1ServiceAccount>("ServiceAccount"),
    role: new MemoryKind<V1Role>("Role"),
    roleBinding: new MemoryKind<V1RoleBinding>("RoleBinding"),
    deployment: new MemoryKind<V1Deployment>("Deployment"),
    service: new MemoryKind<V1Service>("Service"),
    ingress: new MemoryKind<V1Ingress>("Ingress"),
  } satisfies Children;
  const notes: EventNote[] = [];
  const deps: ReconcileDeps = {
    processGroups: {
      cached: () => group.object,
      all: () => (group.object ? [group.object] : []),
      read: async () => group.object,
      writeStatus: async (_ns, _name, status: ProcessGroupStatus) => {
        group.statusWrites++;
        group.object = { ...group.object, status };
      },
    },
    configMaps: {
      get: (name, namespace) => {
        const found = configMaps.get(`${namespace}/${name}`);
        return found && cachedConfigMap(found);
      },
      list: () => [...configMaps.values()].map(cachedConfigMap),
    },
    pods: { get: () => undefined, list: () => pods },
    children,
    events: { record: async (_subject, note) => void notes.push(note) },
    runtimeImage: "runtime:test",
    clock: new FakeClock(),
  };
  const writes = () => children.serviceAccount.applies + children.role.applies + children.roleBinding.applies + children.deployment.applies + children.service.applies + children.ingress.applies + children.ingress.removes + group.statusWrites;
  const setSpec = (next: Record<string, unknown>) => {
    const metadata = group.object?.["metadata"] as { generation: number };
    group.object = { ...group.object, metadata: { ...metadata, generation: metadata.generation + 1 }, spec: next };
  };
  const status = () => group.object?.["status"] as ProcessGroupStatus | undefined;
  const degraded = () => status()?.conditions?.find((c) => c.type === "Degraded");
  return { deps, group, configMaps, pods, children, notes, writes, setSpec, status, degraded };
}

const app = { name: "hello", mount: "/", entry: "hello.mjs" };

describe("reconcile of an elastic group", () => {
  // The scraper's port in memory: every ready pod reports `load`.
  function elasticWorld(spec: Record<string, unknown>) {
    const w = world(spec);
    const clock = new FakeClock();
    const load: { sample: PodSample } = { sample: { kind: "known", busyThreads: 0, threads: 4, queueLength: 0 } };
    const scraper = { scrape: async (targets: readonly { podName: string }[]) => targets.map((t) => ({ podName: t.podName, sample: load.sample })) };
    const deps: ReconcileDeps = { ...w.deps, clock, elastic: new ElasticScaler({ scraper, intervalMs: 5_000 }) };
    const readyPods = (count: number) => {
      w.pods.length = 0;
      for (let i = 0; i < count; i++) w.pods.push({ metadata: { name: `g-${i}`, labels: { "processgroup.dev/name": "g" } }, status: { podIP: `10.1.0.${i + 2}`, conditions: [{ type: "Ready", status: "True" }] } });
    };
    return { ...w, deps, clock, load, readyPods };
  }

  test("the Deployment's replicas follow the decision; a Scaled event and ScalingActive say why; it is looked at again in 5 s", async () => {
    const w = elasticWorld({ image: "app:1", threads: 4, elastic: { maxProcesses: 3, scaleDownStabilizationSeconds: 60 }, applications: [app] });
    expect(await reconcile(w.deps, "ns", "g")).toMatchObject({ result: "success", requeueAfterMs: 5_000 });
    expect(w.children.deployment.cached("ns", "g")?.spec?.replicas).toBe(1);
    expect(w.status()).toMatchObject({ processes: 1, desiredProcesses: 1, multiprocess: true });
    expect(w.status()?.conditions?.find((c) => c.type === "ScalingActive")).toMatchObject({ status: "False", reason: "NoMetrics" });

    w.readyPods(1);
    w.load.sample = { kind: "known", busyThreads: 4, threads: 4, queueLength: 3 };
    w.notes.length = 0;
    await reconcile(w.deps, "ns", "g");
    expect(w.children.deployment.cached("ns", "g")?.spec?.replicas).toBe(3);
    expect(w.notes).toEqual([
      { type: "Normal", reason: "Scaled", message: "Scaled Deployment g from 1 to 3 processes (QueueNotEmpty): 1 -> 3 processes: 4 of 4 threads busy (100%, target 70%), 3 requests queued" },
    ]);
    expect(w.status()).toMatchObject({ processes: 3, desiredProcesses: 3, lastScaleTime: "2023-11-14T22:13:20Z" });

    // Idle: nothing goes before the window; a pass that changes nothing writes nothing.
    w.readyPods(3);
    w.load.sample = { kind: "known", busyThreads: 0, threads: 4, queueLength: 0 };
    await w.clock.advance(5_000);
    await reconcile(w.deps, "ns", "g");
    expect(w.children.deployment.cached("ns", "g")?.spec?.replicas).toBe(3);
    expect(w.status()?.conditions?.find((c) => c.type === "ScalingActive")?.reason).toBe("Stabilizing");
    const before = w.writes();
    await w.clock.advance(5_000);
    await reconcile(w.deps, "ns", "g");
    expect(w.writes()).toBe(before);

    await w.clock.advance(60_000);
    w.notes.length = 0;
    await reconcile(w.deps, "ns", "g");
    expect(w.children.deployment.cached("ns", "g")?.spec?.replicas).toBe(1);
    expect(w.notes.map((n) => n.message)).toEqual([expect.stringMatching(/^Scaled Deployment g from 3 to 1 processes \(BelowTarget\)/)]);
  });

  test("a group that is not elastic is not requeued and keeps spec.processes", async () => {
    const w = elasticWorld({ image: "app:1", processes: 2, applications: [app] });
    w.readyPods(2);
    w.load.sample = { kind: "known", busyThreads: 4, threads: 4, queueLength: 9 };
    const outcome = await reconcile(w.deps, "ns", "g");
    expect(outcome.requeueAfterMs).toBeUndefined();
    expect(w.children.deployment.cached("ns", "g")?.spec?.replicas).toBe(2);
  });
});

describe("reconcile", () => {
  test("the first pass creates the children and writes status; a second pass with nothing changed writes nothing", async () => {
    const w = world({ image: "app:1", processes: 2, threads: 4, applications: [app] });
    expect(await reconcile(w.deps, "ns", "g")).toEqual({ result: "success", changes: ["created ServiceAccount", "created Role", "created RoleBinding", "created Deployment", "created Service", "status"] });
    expect(w.children.deployment.cached("ns", "g")?.spec?.replicas).toBe(2);
    expect(w.status()).toMatchObject({ observedGeneration: 1, processes: 2, threads: 4, multiprocess: true, multithread: true });
    expect(w.notes.map((n) => n.reason)).toEqual(["Created", "Created", "Created", "Created", "Created"]);

    const before = w.writes();
    w.notes.length = 0;
    expect(await reconcile(w.deps, "ns", "g")).toEqual({ result: "success", changes: [] });
    expect(w.writes()).toBe(before);
    expect(w.notes).toEqual([]);
  });

  test("a condition another controller added to the status is left alone and never makes the status differ", async () => {
    const w = world({ image: "app:1", applications: [app] });
    await reconcile(w.deps, "ns", "g");
    // What server-side apply leaves: our conditions, and the one another manager owns.
    const foreign = { type: "Audited", status: "True" as const, reason: "Checked", message: "by another controller", lastTransitionTime: "2026-01-01T00:00:00Z" };
    w.group.object = { ...w.group.object, status: { ...w.status(), conditions: [foreign, ...(w.status()?.conditions ?? [])] } };

    const before = w.writes();
    expect(await reconcile(w.deps, "ns", "g")).toEqual({ result: "success", changes: [] });
    expect(w.writes()).toBe(before);
  });

  test("a spec the schema refuses (requires contradicting the group) is Degraded with a Warning, and nothing is applied", async () => {
    const w = world({ image: "app:1", processes: 2, applications: [{ ...app, requires: { multiprocess: false } }] });
    expect((await reconcile(w.deps, "ns", "g")).result).toBe("degraded");
    expect(w.degraded()).toMatchObject({ status: "True", reason: "RequirementsContradicted" });
    expect(w.degraded()?.message).toContain("spec.applications[0].requires.multiprocess");
    expect(w.notes).toEqual([expect.objectContaining({ type: "Warning", reason: "RequirementsContradicted" })]);
    expect(w.children.deployment.applies).toBe(0);

    w.setSpec({ image: "app:1", applications: [{ ...app, requires: { multiprocess: false } }] });
    expect((await reconcile(w.deps, "ns", "g")).result).toBe("success");
    expect(w.degraded()?.status).toBe("False");
    expect(w.notes.map((n) => n.reason)).toContain("Recovered");
  });

  test("a blocking problem leaves the running Deployment as it was", async () => {
    const w = world({ source: { type: "ConfigMap", configMap: { name: "src" } }, applications: [app] });
    w.configMaps.set("ns/src", { data: { "hello.mjs": "v1" } });
    await reconcile(w.deps, "ns", "g");
    const applied = w.children.deployment.applies;
    w.configMaps.delete("ns/src");
    w.setSpec({ source: { type: "ConfigMap", configMap: { name: "src" } }, threads: 2, applications: [app] });
    expect((await reconcile(w.deps, "ns", "g")).result).toBe("degraded");
    expect(w.degraded()).toMatchObject({ reason: "ConfigMapMissing" });
    expect(w.children.deployment.applies).toBe(applied);
    expect(w.status()?.threads).toBe(15);
  });

  test("an object the API server refuses is reported as Degraded, not retried; an API server failure is thrown for the queue", async () => {
    const w = world({ image: "app:1", applications: [app] });
    w.children.service.refuse = () => new ApiException(422, "Unprocessable", JSON.stringify({ message: "Service is invalid: spec.ports" }), {});
    expect((await reconcile(w.deps, "ns", "g")).result).toBe("degraded");
    expect(w.degraded()).toMatchObject({ reason: "ApplyRejected" });
    expect(w.degraded()?.message).toContain("Service is invalid: spec.ports");
    expect(w.children.deployment.applies).toBe(1);

    w.children.service.refuse = () => new ApiException(503, "Unavailable", "", {});
    await expect(reconcile(w.deps, "ns", "g")).rejects.toThrow();
  });

  test("a route gives an Ingress; dropping the route prunes it", async () => {
    const w = world({ image: "app:1", route: { host: "example.com" }, applications: [app] });
    await reconcile(w.deps, "ns", "g");
    const ingress = w.children.ingress.cached("ns", "g");
    expect(ingress?.metadata?.ownerReferences?.[0]?.uid).toBe("pg-uid");
    w.setSpec({ image: "app:1", applications: [app] });
    await reconcile(w.deps, "ns", "g");
    expect(w.children.ingress.removes).toBe(1);
    expect(w.notes.map((n) => n.reason)).toContain("Deleted");
  });

  test("pods that cannot pull their image make the group Degraded, without blocking it, with one stable message", async () => {
    const w = world({ image: "app:typo", applications: [app] });
    const pod = (name: string, reason: string): V1Pod => ({
      metadata: { name, namespace: "ns", labels: { "processgroup.dev/name": "g" } },
      status: { containerStatuses: [{ name: "runtime", image: "app:typo", imageID: "", ready: false, restartCount: 0, state: { waiting: { reason, message: `Back-off ${name}` } } }] },
    });
    w.pods.push(pod("g-1", "ErrImagePull"), pod("g-2", "ImagePullBackOff"));
    expect((await reconcile(w.deps, "ns", "g")).result).toBe("degraded");
    expect(w.degraded()).toMatchObject({ reason: "ImagePullFailed" });
    expect(w.degraded()?.message).toContain('"app:typo"');
    expect(w.children.deployment.applies).toBe(1);

    // The kubelet flips between its two words; nothing is written for that.
    const writes = w.writes();
    w.pods.splice(0, 2, pod("g-1", "ImagePullBackOff"), pod("g-2", "ErrImagePull"));
    await reconcile(w.deps, "ns", "g");
    expect(w.writes()).toBe(writes);

    w.pods.length = 0;
    await reconcile(w.deps, "ns", "g");
    expect(w.degraded()?.status).toBe("False");
  });

  test("a deleted group is done: its children go by garbage collection", async () => {
    const w = world({ image: "app:1", applications: [app] });
    w.group.object = undefined;
    expect(await reconcile(w.deps, "ns", "g")).toEqual({ result: "success", changes: [] });
    expect(w.writes()).toBe(0);
  });
});
