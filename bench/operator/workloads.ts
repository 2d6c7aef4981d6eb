import type { V1Deployment } from "@kubernetes/client-node";
import type { ProcessGroupSpecInput } from "../../crds/index.ts";

// One process per group, so the yardstick Deployments get the same one pod each. kwok never
// pulls images, so the image only has to look valid.
const image = "registry.invalid/apps/hello:1";

export const objectName = (index: number): string => `bench-${String(index).padStart(4, "0")}`;

export function processGroupBody(namespace: string, name: string): { apiVersion: string; kind: string; metadata: { name: string; namespace: string }; spec: ProcessGroupSpecInput } {
  return {
    apiVersion: "processgroup.dev/v1alpha1",
    kind: "ProcessGroup",
    metadata: { name, namespace },
    spec: { processes: 1, threads: 2, image, applications: [{ name: "hello", mount: "/", entry: "hello.mjs" }] },
  };
}

export function deploymentBody(namespace: string, name: string): V1Deployment {
  const labels = { "app.kubernetes.io/name": name };
  return {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name, namespace, labels },
    spec: {
      replicas: 1,
      selector: { matchLabels: labels },
      template: { metadata: { labels }, spec: { containers: [{ name: "app", image, ports: [{ containerPort: 8000 }] }] } },
    },
  };
}
