import { CoreV1Api, type KubeConfig } from "@kubernetes/client-node";
import { existsSync } from "node:fs";
import { mkdir } from "node:fs/promises";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import type { Binaries } from "../binaries.ts";
import type { ControlPlaneState, RealNodeState } from "../control-plane-state.ts";
import { stopProcesses } from "../processes.ts";
import { secondsSince, type Progress } from "../progress.ts";
import { nodePaths, writeContainerdFiles } from "./containerd.ts";
import { kubeletArgs, kubeProxyArgs, realNodeName, writeKubeletConfig } from "./kubelet.ts";
import { createNodeNetwork, removeNodeNetwork } from "./network.ts";
import { pushSandboxImage, registryArgs } from "./registry.ts";
import { readSysctls, restoreSysctls } from "./sysctls.ts";
import {
  killLeftoverShims,
  removeContainers,
  removeKubepodsCgroups,
  removeKubeProxyRules,
  removeKubernetesChains,
  removeNodeDir,
  unmountUnder,
} from "./teardown.ts";

export const nodeComponents = ["kubelet", "kube-proxy", "crane", "pause"] as const;
export type NodeBinaries = Binaries<(typeof nodeComponents)[number]>;

/** Starts one process and waits for its health URL (the control plane's own launcher). */
export type Launch = (spec: { name: string; binary: string; args: string[]; health: string }) => Promise<void>;

/**
 * Before the apiserver starts: the node's address (the apiserver listens on it, so pods
 * reach it through the `kubernetes` Service) and the record teardown needs.
 */
export async function prepareRealNode(
  state: ControlPlaneState,
  binaries: NodeBinaries,
  registryPort: number,
): Promise<RealNodeState> {
  if (process.getuid?.() !== 0) throw new Error("--kubelet needs root (network interfaces, mounts, cgroups)");
  const paths = nodePaths();
  const node: RealNodeState = {
    root: paths.root,
    containerdSocket: paths.containerdSocket,
    kubeProxy: binaries["kube-proxy"].path,
    registry: `127.0.0.1:${registryPort}`,
    sysctls: await readSysctls(),
  };
  state.node = node;
  await createNodeNetwork();
  return node;
}

export interface RealNodePorts {
  containerdMetrics: number;
  kubelet: number;
  kubeletHealthz: number;
  kubeProxyHealthz: number;
  kubeProxyMetrics: number;
}

/** After the controllers: registry, sandbox image, containerd, kubelet, kube-proxy; then waits for Ready. */
export async function startRealNode(options: {
  state: ControlPlaneState;
  node: RealNodeState;
  binaries: NodeBinaries;
  caCert: string;
  ports: RealNodePorts;
  kc: KubeConfig;
  launch: Launch;
  progress: Progress;
  timeoutMs: number;
}): Promise<void> {
  const { state, node, binaries, ports, launch } = options;
  const paths = nodePaths();
  const registryPort = node.registry.split(":")[1] ?? "";
  await mkdir(join(paths.root, "registry"), { recursive: true });
  await launch({
    name: "registry",
    binary: binaries.crane.path,
    args: registryArgs(Number(registryPort), join(paths.root, "registry")),
    health: `http://${node.registry}/v2/`,
  });
  const sandboxImage = await pushSandboxImage(binaries.crane.path, binaries.pause.path, node.registry);
  await writeContainerdFiles(paths, node.registry, sandboxImage, ports.containerdMetrics);
  await launch({
    name: "containerd",
    binary: "containerd",
    args: ["--config", paths.containerdConfig, "--log-level", "warn"],
    health: `http://127.0.0.1:${ports.containerdMetrics}/v1/metrics`,
  });
  const kubeletConfig = await writeKubeletConfig(paths, { server: ports.kubelet, healthz: ports.kubeletHealthz }, options.caCert);
  await launch({
    name: "kubelet",
    binary: binaries.kubelet.path,
    args: kubeletArgs(paths, kubeletConfig, state.kubeconfig),
    health: `http://127.0.0.1:${ports.kubeletHealthz}/healthz`,
  });
  await launch({
    name: "kube-proxy",
    binary: binaries["kube-proxy"].path,
    args: kubeProxyArgs(state.kubeconfig, { healthz: ports.kubeProxyHealthz, metrics: ports.kubeProxyMetrics }),
    health: `http://127.0.0.1:${ports.kubeProxyHealthz}/healthz`,
  });
  const t = performance.now();
  await waitForNodeReady(options.kc, options.timeoutMs);
  options.progress(`node ${realNodeName} Ready in ${secondsSince(t)}`);
}

async function waitForNodeReady(kc: KubeConfig, timeoutMs: number): Promise<void> {
  const core = kc.makeApiClient(CoreV1Api);
  const deadline = Date.now() + timeoutMs;
  let last = "not registered";
  while (Date.now() < deadline) {
    try {
      const node = await core.readNode({ name: realNodeName });
      const ready = node.status?.conditions?.find((c) => c.type === "Ready");
      if (ready?.status === "True") return;
      last = `Ready=${ready?.status ?? "?"}: ${ready?.message ?? ""}`;
    } catch {
      // not registered yet
    }
    await sleep(250);
  }
  throw new Error(`node ${realNodeName} not Ready within ${timeoutMs / 1000}s (${last}); see the kubelet log`);
}

/**
 * Stops the node's side in the order that leaves nothing behind: kubelet and kube-proxy
 * (nothing restarts containers), every container through containerd, then, after the
 * remaining processes stop, mounts, cgroups, rules, interfaces and sysctls.
 */
export async function stopRealNodeWorkloads(state: ControlPlaneState, progress: Progress): Promise<string[]> {
  const node = state.node;
  if (node === undefined) return [];
  await stopProcesses(
    state.processes.filter((p) => p.name === "kubelet" || p.name === "kube-proxy"),
    progress,
  );
  // A containerd that never came up (or is gone) has no containers to remove.
  if (!state.processes.some((p) => p.name === "containerd") || !existsSync(node.containerdSocket)) return [];
  return removeContainers("ctr", node.containerdSocket).catch((error: unknown) => [
    `listing containers: ${error instanceof Error ? error.message : String(error)}`,
  ]);
}

export async function removeRealNode(node: RealNodeState, progress: Progress): Promise<string[]> {
  const failures: string[] = [];
  const shims = await killLeftoverShims(node.containerdSocket);
  if (shims.length > 0) progress(`killed leftover shims: ${shims.join("; ")}`);
  const rules = await removeKubeProxyRules(node.kubeProxy);
  if (rules !== undefined) failures.push(rules);
  failures.push(...(await removeKubernetesChains()));
  failures.push(...(await unmountUnder(node.root)));
  failures.push(...(await removeKubepodsCgroups()));
  failures.push(...(await removeNodeNetwork()));
  const restored = await restoreSysctls(node.sysctls).catch((error: unknown) => {
    failures.push(`restoring sysctls: ${String(error)}`);
    return [];
  });
  if (restored.length > 0) progress(`restored sysctls the kubelet changed: ${restored.join(", ")}`);
  const dir = await removeNodeDir(node.root);
  if (dir !== undefined) failures.push(dir);
  return failures;
}
