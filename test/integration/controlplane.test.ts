import { AppsV1Api, AuthenticationV1Api, CoreV1Api, VersionApi, type V1Deployment } from "@kubernetes/client-node";
import { describe, expect, test } from "vitest";
import { controlPlane, kubeConfig } from "./support/control-plane.ts";
import { kubectl } from "./support/kubectl.ts";
import { withNamespace } from "./support/namespace.ts";
import { until } from "../support/until.ts";

describe("the test control plane", () => {
  test("answers /readyz through kubectl with the admin kubeconfig", async () => {
    const result = await kubectl(["get", "--raw", "/readyz"]);
    expect(result.stderr).toBe("");
    expect(result.stdout.trim()).toBe("ok");
  });

  test("runs the pinned Kubernetes version", async () => {
    const { gitVersion } = await kubeConfig().makeApiClient(VersionApi).getCode();
    const expected = controlPlane().expectedKubernetesVersion;
    if (expected === null) expect(gitVersion).toMatch(/^v1\.\d+\.\d+/);
    else expect(gitVersion).toBe(expected);
  });

  test("authenticates the admin by client certificate as system:masters", async () => {
    const review = await kubeConfig().makeApiClient(AuthenticationV1Api).createSelfSubjectReview({ body: {} });
    expect(review.status?.userInfo?.username).toBe("processgroup-admin");
    expect(review.status?.userInfo?.groups).toContain("system:masters");
  });

  test("authorizes with RBAC: an unbound user may do nothing", async () => {
    const denied = await kubectl(["auth", "can-i", "list", "pods", "--as=nobody"]);
    expect(denied.stdout.trim()).toBe("no");
    const admin = await kubectl(["auth", "can-i", "*", "*"]);
    expect(admin.stdout.trim()).toBe("yes");
  });

  test("serves the APIs the operator needs: Leases, Events, CRDs", async () => {
    const result = await kubectl(["api-resources", "-o", "name"]);
    const resources = result.stdout.split("\n");
    for (const name of ["leases.coordination.k8s.io", "events.events.k8s.io", "customresourcedefinitions.apiextensions.k8s.io", "deployments.apps"]) {
      expect(resources).toContain(name);
    }
  });
});

describe.skipIf(process.env["PROCESSGROUP_TEST_PROFILE"] === "apiserver")("the full profile", () => {
  test("makes a plain Deployment Available with kwok pods, and garbage-collects it", async () => {
    expect(controlPlane().profile).toBe("full");
    await withNamespace("deployment", async (namespace) => {
      const kc = kubeConfig();
      const apps = kc.makeApiClient(AppsV1Api);
      const core = kc.makeApiClient(CoreV1Api);
      const labels = { app: "plain" };
      const deployment: V1Deployment = {
        metadata: { name: "plain" },
        spec: {
          replicas: 2,
          selector: { matchLabels: labels },
          template: {
            metadata: { labels },
            spec: { containers: [{ name: "app", image: "registry.invalid/never-pulled:1" }] },
          },
        },
      };
      await apps.createNamespacedDeployment({ namespace, body: deployment });

      const available = await until("the Deployment to become Available", 60_000, async () => {
        const current = await apps.readNamespacedDeployment({ name: "plain", namespace });
        const condition = current.status?.conditions?.find((c) => c.type === "Available" && c.status === "True");
        return condition !== undefined && current.status?.readyReplicas === 2 ? current : undefined;
      });
      expect(available.status?.availableReplicas).toBe(2);

      const pods = await core.listNamespacedPod({ namespace, labelSelector: "app=plain" });
      expect(pods.items).toHaveLength(2);
      for (const pod of pods.items) {
        expect(pod.spec?.nodeName).toMatch(/^kwok-node-/);
        expect(pod.status?.phase).toBe("Running");
      }

      // Deleting the owner leaves the ReplicaSet and pods to the garbage collector.
      await apps.deleteNamespacedDeployment({ name: "plain", namespace, propagationPolicy: "Background" });
      await until("the garbage collector to delete the ReplicaSet", 60_000, async () => {
        const sets = await apps.listNamespacedReplicaSet({ namespace });
        return sets.items.length === 0 ? true : undefined;
      });
    }, { pods: true });
  });
});
