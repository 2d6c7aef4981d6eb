import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { nodeNetwork } from "./network.ts";

/** Where one node keeps containerd's, the kubelet's and CNI's files: all under NODE_ROOT. */
export interface NodePaths {
  root: string;
  containerdRoot: string;
  containerdState: string;
  containerdSocket: string;
  containerdConfig: string;
  registryHosts: string;
  cniConfDir: string;
  cniIpamDir: string;
  kubeletRoot: string;
  kubeletCerts: string;
}

/**
 * The node's files live apart from the cluster dir, in a short fixed folder: containerd and
 * the kubelet make unix sockets there (containerd.sock.ttrpc, pod-resources, plugin
 * registration), a unix socket path must stay under 104 bytes, and the cluster dir is inside
 * a checkout whose path can be any length. One real node runs per machine (its interfaces
 * have fixed names too), so one folder is enough.
 */
export const NODE_ROOT = "/var/tmp/processgroup-node";

export function nodePaths(): NodePaths {
  const root = NODE_ROOT;
  return {
    root,
    containerdRoot: join(root, "containerd", "root"),
    containerdState: join(root, "containerd", "state"),
    containerdSocket: join(root, "containerd", "containerd.sock"),
    containerdConfig: join(root, "containerd", "config.toml"),
    registryHosts: join(root, "containerd", "certs.d"),
    cniConfDir: join(root, "cni", "net.d"),
    cniIpamDir: join(root, "cni", "ipam"),
    kubeletRoot: join(root, "kubelet"),
    kubeletCerts: join(root, "kubelet", "pki"),
  };
}

// Debian's containernetworking-plugins; containerd also runs `loopback` from here itself.
const cniBinDir = "/usr/lib/cni";

/**
 * containerd's own root, state and socket, so it never meets a system containerd. Two
 * settings this VM needs: `restrict_oom_score_adj` (without CAP_SYS_RESOURCE every sandbox
 * fails in runc with "can't get final child's PID from pipe"), and cgroupfs (cgroup v1).
 */
function containerdConfig(paths: NodePaths, sandboxImage: string, metricsPort: number): string {
  const cri = 'plugins."io.containerd.grpc.v1.cri"';
  return `version = 2
root = ${JSON.stringify(paths.containerdRoot)}
state = ${JSON.stringify(paths.containerdState)}
disabled_plugins = ["io.containerd.snapshotter.v1.btrfs", "io.containerd.snapshotter.v1.zfs", "io.containerd.snapshotter.v1.devmapper", "io.containerd.snapshotter.v1.aufs", "io.containerd.tracing.processor.v1.otlp", "io.containerd.internal.v1.tracing"]

[grpc]
  address = ${JSON.stringify(paths.containerdSocket)}

[ttrpc]
  address = ${JSON.stringify(`${paths.containerdSocket}.ttrpc`)}

[metrics]
  address = "127.0.0.1:${metricsPort}"

[plugins."io.containerd.internal.v1.opt"]
  path = ${JSON.stringify(join(paths.containerdRoot, "opt"))}

[${cri}]
  sandbox_image = ${JSON.stringify(sandboxImage)}
  restrict_oom_score_adj = true
  # Network namespaces under our state dir, not /var/run/netns: teardown finds exactly ours.
  netns_mounts_under_state_dir = true
  enable_selinux = false

[${cri}.containerd]
  snapshotter = "overlayfs"
  default_runtime_name = "runc"

[${cri}.containerd.runtimes.runc]
  runtime_type = "io.containerd.runc.v2"

[${cri}.containerd.runtimes.runc.options]
  SystemdCgroup = false

[${cri}.cni]
  bin_dir = ${JSON.stringify(cniBinDir)}
  conf_dir = ${JSON.stringify(paths.cniConfDir)}
  max_conf_num = 1

[${cri}.registry]
  config_path = ${JSON.stringify(paths.registryHosts)}
`;
}

/** One bridge on this machine; no masquerading and no forwarding, so pod traffic stays here. */
function cniConflist(paths: NodePaths): string {
  return `${JSON.stringify(
    {
      cniVersion: "0.4.0",
      name: "processgroup-e2e",
      plugins: [
        {
          type: "bridge",
          bridge: nodeNetwork.bridge,
          isGateway: true,
          ipMasq: false,
          hairpinMode: true,
          ipam: {
            type: "host-local",
            ranges: [[{ subnet: nodeNetwork.podSubnet }]],
            routes: [{ dst: "0.0.0.0/0" }],
            dataDir: paths.cniIpamDir,
          },
        },
        { type: "portmap", capabilities: { portMappings: true } },
      ],
    },
    null,
    2,
  )}\n`;
}

/** Writes containerd's config, the CNI network and the plain-HTTP mirror entry for our registry. */
export async function writeContainerdFiles(paths: NodePaths, registry: string, sandboxImage: string, metricsPort: number): Promise<void> {
  for (const dir of [paths.containerdRoot, paths.containerdState, paths.cniConfDir, paths.cniIpamDir, paths.kubeletCerts]) {
    await mkdir(dir, { recursive: true });
  }
  await writeFile(paths.containerdConfig, containerdConfig(paths, sandboxImage, metricsPort));
  await writeFile(join(paths.cniConfDir, "10-processgroup.conflist"), cniConflist(paths));
  await mkdir(join(paths.registryHosts, registry), { recursive: true });
  await writeFile(
    join(paths.registryHosts, registry, "hosts.toml"),
    `server = "http://${registry}"\n\n[host."http://${registry}"]\n  capabilities = ["pull", "resolve"]\n`,
  );
}
