import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { stringify } from "yaml";
import type { NodePaths } from "./containerd.ts";
import { nodeNetwork } from "./network.ts";

export const realNodeName = "processgroup-node";

export interface KubeletPorts {
  /** The kubelet API (logs, exec) on the node IP; the apiserver calls it. */
  server: number;
  healthz: number;
}

/**
 * What this VM needs (see issue 13): cgroup v1 with the cgroupfs driver, swap tolerated,
 * the apiserver's calls to the kubelet accepted anonymously (a test node on a private
 * address), and no image or disk eviction on a busy developer disk.
 */
export async function writeKubeletConfig(paths: NodePaths, ports: KubeletPorts, caCert: string): Promise<string> {
  const config = {
    apiVersion: "kubelet.config.k8s.io/v1beta1",
    kind: "KubeletConfiguration",
    failCgroupV1: false,
    cgroupDriver: "cgroupfs",
    failSwapOn: false,
    containerRuntimeEndpoint: `unix://${paths.containerdSocket}`,
    address: nodeNetwork.nodeIp,
    port: ports.server,
    readOnlyPort: 0,
    healthzBindAddress: "127.0.0.1",
    healthzPort: ports.healthz,
    authentication: { anonymous: { enabled: true }, webhook: { enabled: false }, x509: { clientCAFile: caCert } },
    authorization: { mode: "AlwaysAllow" },
    evictionHard: { "memory.available": "100Mi", "nodefs.available": "1%", "imagefs.available": "1%", "nodefs.inodesFree": "1%" },
    imageGCHighThresholdPercent: 100,
    imageGCLowThresholdPercent: 99,
    // Fast status updates: tests wait for pod readiness, not for the default 10 s heartbeat.
    nodeStatusUpdateFrequency: "4s",
    syncFrequency: "10s",
    fileCheckFrequency: "5s",
    serializeImagePulls: false,
    // Not the host's: `ClusterFirst` pods then get the host's resolv.conf.
    resolvConf: "/etc/resolv.conf",
    maxPods: 60,
  };
  const path = join(paths.root, "kubelet-config.yaml");
  await writeFile(path, stringify(config));
  return path;
}

export function kubeletArgs(paths: NodePaths, configPath: string, kubeconfig: string): string[] {
  return [
    `--config=${configPath}`,
    `--kubeconfig=${kubeconfig}`,
    `--root-dir=${paths.kubeletRoot}`,
    `--cert-dir=${paths.kubeletCerts}`,
    `--node-ip=${nodeNetwork.nodeIp}`,
    `--hostname-override=${realNodeName}`,
    "--v=1",
  ];
}

export interface KubeProxyPorts {
  healthz: number;
  metrics: number;
}

/**
 * iptables mode (Debian's iptables 1.8.9, the nf_tables backend, works here). It is told not
 * to touch host-wide sysctls: no localhost NodePorts (route_localnet) and no conntrack sizing.
 */
export function kubeProxyArgs(kubeconfig: string, ports: KubeProxyPorts): string[] {
  return [
    `--kubeconfig=${kubeconfig}`,
    `--hostname-override=${realNodeName}`,
    "--proxy-mode=iptables",
    `--cluster-cidr=${nodeNetwork.podSubnet}`,
    "--iptables-localhost-nodeports=false",
    "--conntrack-max-per-core=0",
    `--healthz-bind-address=127.0.0.1:${ports.healthz}`,
    `--metrics-bind-address=127.0.0.1:${ports.metrics}`,
    `--bind-address=${nodeNetwork.nodeIp}`,
    `--nodeport-addresses=${nodeNetwork.nodeIp}/32`,
  ];
}
