import { CoreV1Api, type KubeConfig, type V1Node } from "@kubernetes/client-node";
import { setTimeout as sleep } from "node:timers/promises";

// kwok acts as the kubelet of every Node whose annotations match its selector; the
// scheduler places pods on these nodes and kwok then reports those pods Running/Ready.
export const fakeNodeAnnotation = { key: "kwok.x-k8s.io/node", value: "fake" } as const;

function fakeNode(name: string): V1Node {
  const resources = { cpu: "32", memory: "256Gi", pods: "110" };
  return {
    apiVersion: "v1",
    kind: "Node",
    metadata: {
      name,
      annotations: { [fakeNodeAnnotation.key]: fakeNodeAnnotation.value, "node.alpha.kubernetes.io/ttl": "0" },
      labels: {
        "kubernetes.io/hostname": name,
        "kubernetes.io/os": "linux",
        "kubernetes.io/arch": "amd64",
        type: "kwok",
      },
    },
    // No kwok taint: plain Deployments (ours included) must schedule without tolerations.
    spec: {},
    // A node registers with its status (as a kubelet does), so capacity is set at create.
    status: {
      capacity: resources,
      allocatable: resources,
      nodeInfo: {
        architecture: "amd64",
        operatingSystem: "linux",
        kubeletVersion: "fake",
        kubeProxyVersion: "fake",
        bootID: "",
        containerRuntimeVersion: "",
        kernelVersion: "",
        machineID: "",
        osImage: "",
        systemUUID: "",
      },
    },
  };
}

function isReady(node: V1Node): boolean {
  return node.status?.conditions?.some((c) => c.type === "Ready" && c.status === "True") ?? false;
}

/**
 * Creates `count` fake nodes, numbered from `firstIndex` (more can be added later to a running
 * control plane: each node takes at most 110 pods, like a kubelet), and waits until every
 * kwok node is Ready.
 */
export async function createFakeNodes(kubeConfig: KubeConfig, count: number, timeoutMs: number, firstIndex = 0): Promise<string[]> {
  const core = kubeConfig.makeApiClient(CoreV1Api);
  const names = Array.from({ length: count }, (_, i) => `kwok-node-${firstIndex + i}`);
  await Promise.all(names.map((name) => core.createNode({ body: fakeNode(name) })));
  const total = firstIndex + count;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const nodes = await core.listNode({ labelSelector: "type=kwok" });
    const ready = nodes.items.filter(isReady).length;
    if (ready >= total) return names;
    if (Date.now() > deadline) throw new Error(`only ${ready} of ${total} kwok nodes became Ready within ${timeoutMs / 1000}s`);
    await sleep(100);
  }
}
