import { beforeAll, describe, expect, test } from "vitest";
import { controlPlane } from "./support/control-plane.ts";
import { processGroupApi } from "./support/crd.ts";
import { until } from "../support/until.ts";
import { useOperator } from "./operator-support/in-process-operator.ts";
import { clients, conditionOf, createGroup, eventWhere, groupWhere, patchSpec, readDeployment, specOf } from "./operator-support/process-groups.ts";
import { kubectl } from "./support/kubectl.ts";

// Needs kube-controller-manager (ReplicaSets, garbage collection) and kwok (pods that become Ready).
describe.skipIf(process.env["PROCESSGROUP_TEST_PROFILE"] === "apiserver")("with controllers and kwok nodes", () => {
  const file = useOperator("operator-full", { pods: true });

  beforeAll(() => {
    expect(controlPlane().profile).toBe("full");
  });

  test("status reaches Ready with every process ready; deleting the group garbage-collects its objects", async () => {
    await createGroup(file.namespace, "ready", specOf({ processes: 3, threads: 2 }));
    const ready = await groupWhere(file.namespace, "ready", "Ready", (g) => conditionOf(g, "Ready")?.status === "True", 90_000);
    expect(ready.status).toMatchObject({ processes: 3, readyProcesses: 3, threads: 2, multiprocess: true, multithread: true });
    expect(conditionOf(ready, "Progressing")).toMatchObject({ status: "False", reason: "Complete" });
    expect(conditionOf(ready, "Degraded")?.status).toBe("False");
    await eventWhere(file.namespace, "ready", "Normal", "Created");

    const pods = await clients().core.listNamespacedPod({ namespace: file.namespace, labelSelector: ready.status?.selector ?? "" });
    expect(pods.items).toHaveLength(3);

    // Scale down through the scale subresource; readiness follows.
    await clients().custom.patchNamespacedCustomObjectScale(
      { ...processGroupApi, namespace: file.namespace, name: "ready", body: { spec: { replicas: 1 } } },
      (await import("@kubernetes/client-node")).setHeaderOptions("Content-Type", "application/merge-patch+json"),
    );
    await groupWhere(file.namespace, "ready", "1 process ready", (g) => g.status?.processes === 1 && g.status.readyProcesses === 1 && conditionOf(g, "Ready")?.status === "True", 90_000);

    await clients().custom.deleteNamespacedCustomObject({ ...processGroupApi, namespace: file.namespace, name: "ready" });
    // The garbage collector learns of a new CRD by rediscovery, every 30 s, so the first deletion may wait that long.
    await until("garbage collection of the Deployment", 90_000, async () => ((await readDeployment(file.namespace, "ready")) === undefined ? true : undefined));
    await until("garbage collection of the Service", 60_000, async () => {
      const services = await clients().core.listNamespacedService({ namespace: file.namespace });
      return services.items.some((s) => s.metadata?.name === "ready") ? undefined : true;
    });
  });
  test("pods that cannot pull the image: Degraded ImagePullFailed with a Warning; a new image recovers", async () => {
    await createGroup(file.namespace, "bad-image", specOf({ processes: 1, image: "registry.invalid/apps/typo:1" }));
    const ready = await groupWhere(file.namespace, "bad-image", "Ready", (g) => conditionOf(g, "Ready")?.status === "True", 90_000);
    // kwok starts no containers, so the test writes what a kubelet reports for an image it cannot pull.
    const [pod] = (await clients().core.listNamespacedPod({ namespace: file.namespace, labelSelector: ready.status?.selector ?? "" })).items;
    if (!pod?.metadata?.name) throw new Error("no pod");
    const waiting = {
      status: {
        containerStatuses: [
          { name: "runtime", image: "registry.invalid/apps/typo:1", imageID: "", ready: false, restartCount: 0, started: false, state: { waiting: { reason: "ImagePullBackOff", message: "Back-off pulling image" } } },
        ],
      },
    };
    const patched = await kubectl(["patch", "pod", pod.metadata.name, "-n", file.namespace, "--subresource=status", "--type=merge", "-p", JSON.stringify(waiting)]);
    expect(patched.stderr).toBe("");
    const degraded = await groupWhere(file.namespace, "bad-image", "Degraded ImagePullFailed", (g) => conditionOf(g, "Degraded")?.reason === "ImagePullFailed");
    expect(conditionOf(degraded, "Degraded")?.message).toContain("registry.invalid/apps/typo:1");
    await eventWhere(file.namespace, "bad-image", "Warning", "ImagePullFailed");

    await patchSpec(file.namespace, "bad-image", { image: "registry.invalid/apps/fixed:1" });
    await groupWhere(file.namespace, "bad-image", "recovered and Ready", (g) => conditionOf(g, "Degraded")?.status === "False" && conditionOf(g, "Ready")?.status === "True", 90_000);
    await eventWhere(file.namespace, "bad-image", "Normal", "Recovered");
  });
});
