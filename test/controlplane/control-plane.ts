import { KubeConfig } from "@kubernetes/client-node";
import { mkdir, readFile, rm } from "node:fs/promises";
import { join, resolve } from "node:path";
import { resolveBinaries, type Binaries } from "./binaries.ts";
import { removeState, writeState, type ControlPlaneState, type Profile } from "./control-plane-state.ts";
import { createFakeNodes, fakeNodeAnnotation } from "./fake-nodes.ts";
import { writeAdminKubeconfig } from "./kubeconfig.ts";
import { generatePki, serviceClusterIpRange, type Pki } from "./pki.ts";
import { freePorts } from "./ports.ts";
import { killNow, startProcess, stopProcesses, type StartedProcess } from "./processes.ts";
import { secondsSince, type Progress } from "./progress.ts";
import { waitUntilReady, type ProbeTls } from "./readiness.ts";
import { waitForDefaultServiceAccount } from "./service-accounts.ts";
import { nodeNetwork } from "./node/network.ts";
import {
  nodeComponents,
  prepareRealNode,
  removeRealNode,
  startRealNode,
  stopRealNodeWorkloads,
  type NodeBinaries,
} from "./node/real-node.ts";

export interface StartOptions {
  profile: Profile;
  /** Holds state.json, kubeconfig, pki/, logs/ and etcd-data/. */
  dir: string;
  /** Detached processes keep running after this Node process exits (cluster:up). */
  detached: boolean;
  progress: Progress;
  /**
   * A real node instead of kwok's fake ones (full profile only): containerd, a kubelet,
   * kube-proxy and a local registry. The apiserver then listens on the node's address.
   */
  kubelet?: boolean;
}

const fakeNodeCount = 2;

// Generous: on 2 cores a first apiserver start (bootstrap RBAC, priority levels) under a
// parallel Go build can take tens of seconds; a normal start takes a few.
const readyTimeoutMs = 120_000;

// An attached control plane dies with this Node process even when that process exits
// without calling stop (vitest answers SIGINT/SIGTERM with process.exit, possibly in the
// middle of start-up). `exit` listeners must be synchronous, hence SIGKILL. Keyed by dir.
const exitListeners = new Map<string, () => void>();

interface Launch {
  name: string;
  binary: string;
  args: string[];
  health: string;
  tls?: ProbeTls;
}

/**
 * Starts a control plane and returns once it is usable: the apiserver answers /readyz,
 * and with the `full` profile the controllers are healthy, kwok's nodes are Ready and the
 * `default` ServiceAccount exists. A failure stops whatever had started and keeps the logs.
 */
export async function startControlPlane(options: StartOptions): Promise<ControlPlaneState> {
  const started = performance.now();
  const { profile, progress } = options;
  const dir = resolve(options.dir);
  // Everything is resolved (and built, on a cold machine) before any process starts.
  const binaries = await resolveBinaries(["etcd", "kube-apiserver", "kubectl"], progress);
  const controllers =
    profile === "full" ? await resolveBinaries(["kube-controller-manager", "kube-scheduler", "kwok"], progress) : undefined;
  if (options.kubelet === true && profile !== "full") throw new Error("--kubelet needs the full profile");
  const nodeBinaries: NodeBinaries | undefined = options.kubelet === true ? await resolveBinaries(nodeComponents, progress) : undefined;
  const host = nodeBinaries === undefined ? "127.0.0.1" : nodeNetwork.nodeIp;
  const logDir = join(dir, "logs");
  const etcdDataDir = join(dir, "etcd-data");
  await rm(etcdDataDir, { recursive: true, force: true });
  await mkdir(logDir, { recursive: true });
  const pki = await generatePki(join(dir, "pki"), nodeBinaries === undefined ? [] : [nodeNetwork.nodeIp]);
  // One call for every port, the node's too: ports asked for in two calls can coincide once
  // the first call's listeners have closed, and then two components race for one port.
  const [etcdClient = 0, etcdPeer = 0, apiserver = 0, controllerManager = 0, scheduler = 0, kwok = 0, ...nodeSlots] = await freePorts(nodeBinaries === undefined ? 6 : 12);
  const server = `https://${host}:${apiserver}`;
  const state: ControlPlaneState = {
    profile,
    dir,
    server,
    kubeconfig: join(dir, "kubeconfig"),
    logDir,
    etcdDataDir,
    kubectl: binaries.kubectl.path,
    apiserverFromKubebuilderAssets: binaries["kube-apiserver"].source === "kubebuilder-assets",
    processes: [],
  };
  if (!options.detached) {
    const listener = (): void => killNow(state.processes);
    exitListeners.set(dir, listener);
    process.once("exit", listener);
  }
  await writeAdminKubeconfig(state.kubeconfig, server, pki);
  const clientTls: ProbeTls = {
    ca: await readFile(pki.caCert),
    cert: await readFile(pki.adminCert),
    key: await readFile(pki.adminKey),
  };

  const launch = async (spec: Launch): Promise<void> => {
    const t = performance.now();
    const child: StartedProcess = startProcess({ ...spec, logDir, detached: options.detached });
    state.processes.push(child.record);
    await writeState(state);
    await waitUntilReady(child, spec.health, { timeoutMs: readyTimeoutMs, ...(spec.tls && { tls: spec.tls }) });
    progress(`${spec.name} ready in ${secondsSince(t)} (pid ${child.record.pid})`);
  };

  try {
    const [registry = 0, ...nodePorts] = nodeSlots;
    const node = nodeBinaries === undefined ? undefined : await prepareRealNode(state, nodeBinaries, registry);
    await launch(etcdLaunch(binaries, etcdDataDir, etcdClient, etcdPeer));
    await launch({ ...apiserverLaunch(binaries, profile, pki, host, apiserver, etcdClient), tls: clientTls });
    if (controllers !== undefined) {
      const kubeconfig = state.kubeconfig;
      await launch(controllerManagerLaunch(controllers, pki, kubeconfig, controllerManager));
      await launch(schedulerLaunch(controllers, kubeconfig, scheduler));
      const kc = new KubeConfig();
      kc.loadFromFile(kubeconfig);
      if (node !== undefined && nodeBinaries !== undefined) {
        const [containerdMetrics = 0, kubelet = 0, kubeletHealthz = 0, kubeProxyHealthz = 0, kubeProxyMetrics = 0] = nodePorts;
        await startRealNode({
          state,
          node,
          binaries: nodeBinaries,
          caCert: pki.caCert,
          ports: { containerdMetrics, kubelet, kubeletHealthz, kubeProxyHealthz, kubeProxyMetrics },
          kc,
          launch,
          progress,
          timeoutMs: readyTimeoutMs,
        });
      } else {
        await launch(kwokLaunch(controllers, kubeconfig, kwok));
        await createFakeNodes(kc, fakeNodeCount, readyTimeoutMs);
        progress(`${fakeNodeCount} kwok nodes Ready`);
      }
      await waitForDefaultServiceAccount(kc, "default", readyTimeoutMs);
    }
  } catch (error) {
    progress(`start-up failed; stopping what started (logs kept in ${logDir})`);
    await stopControlPlane(state, progress);
    throw error;
  }
  progress(`${profile} control plane up in ${secondsSince(started)} at ${server}; logs in ${logDir}`);
  return state;
}

/** Stops exactly the recorded processes, newest first, then drops etcd's data; logs stay. */
export async function stopControlPlane(state: ControlPlaneState, progress: Progress): Promise<void> {
  const listener = exitListeners.get(state.dir);
  if (listener !== undefined) process.off("exit", listener);
  exitListeners.delete(state.dir);
  const failures = await stopRealNodeWorkloads(state, progress);
  await stopProcesses(state.processes, progress);
  if (state.node !== undefined) failures.push(...(await removeRealNode(state.node, progress)));
  await rm(state.etcdDataDir, { recursive: true, force: true });
  if (failures.length > 0) {
    // state.json stays, so a second `cluster:down` can retry what failed.
    throw new Error(`teardown left something behind:\n  ${failures.join("\n  ")}`);
  }
  await removeState(state.dir);
}

function etcdLaunch(binaries: Binaries<"etcd">, dataDir: string, clientPort: number, peerPort: number): Launch {
  const client = `http://127.0.0.1:${clientPort}`;
  const peer = `http://127.0.0.1:${peerPort}`;
  return {
    name: "etcd",
    binary: binaries.etcd.path,
    args: [
      "--name=controlplane",
      `--data-dir=${dataDir}`,
      `--listen-client-urls=${client}`,
      `--advertise-client-urls=${client}`,
      `--listen-peer-urls=${peer}`,
      `--initial-advertise-peer-urls=${peer}`,
      `--initial-cluster=controlplane=${peer}`,
      // Test data is thrown away, so durability buys nothing and fsync costs a lot.
      "--unsafe-no-fsync",
      "--log-level=warn",
    ],
    health: `${client}/health`,
  };
}

function apiserverLaunch(
  binaries: Binaries<"kube-apiserver">,
  profile: Profile,
  pki: Pki,
  host: string,
  port: number,
  etcdPort: number,
): Launch {
  return {
    name: "kube-apiserver",
    binary: binaries["kube-apiserver"].path,
    args: [
      `--etcd-servers=http://127.0.0.1:${etcdPort}`,
      // 127.0.0.1, or a real node's address (a veth of this machine), where
      // pods reach it through the `kubernetes` Service; never an outside interface.
      `--bind-address=${host}`,
      `--advertise-address=${host}`,
      `--secure-port=${port}`,
      `--cert-dir=${join(pki.caCert, "..")}`,
      `--tls-cert-file=${pki.servingCert}`,
      `--tls-private-key-file=${pki.servingKey}`,
      `--client-ca-file=${pki.caCert}`,
      // Unused by tests (no aggregated APIs), but without it the controllers log an error
      // about the missing front-proxy CA every few seconds, burying what matters in the logs.
      `--requestheader-client-ca-file=${pki.caCert}`,
      "--requestheader-allowed-names=front-proxy-client",
      "--requestheader-username-headers=X-Remote-User",
      "--requestheader-group-headers=X-Remote-Group",
      "--requestheader-extra-headers-prefix=X-Remote-Extra-",
      "--authorization-mode=RBAC",
      `--service-cluster-ip-range=${serviceClusterIpRange}`,
      "--service-account-issuer=https://kubernetes.default.svc.cluster.local",
      `--service-account-key-file=${pki.serviceAccountPublicKey}`,
      `--service-account-signing-key-file=${pki.serviceAccountKey}`,
      "--allow-privileged=true",
      // kubectl logs/exec reach a real node by its address; its name resolves nowhere here.
      "--kubelet-preferred-address-types=InternalIP,Hostname",
      // Without kube-controller-manager nobody creates the `default` ServiceAccount, and
      // the ServiceAccount admission plugin would then refuse every pod.
      ...(profile === "apiserver" ? ["--disable-admission-plugins=ServiceAccount"] : []),
    ],
    health: `https://${host}:${port}/readyz`,
  };
}

// The controllers authenticate with the admin kubeconfig: they are our own test fixtures,
// and per-component identities would add certificates without testing anything of ours.
function componentAuth(kubeconfig: string): string[] {
  return [
    `--kubeconfig=${kubeconfig}`,
    `--authentication-kubeconfig=${kubeconfig}`,
    `--authorization-kubeconfig=${kubeconfig}`,
    "--bind-address=127.0.0.1",
    "--leader-elect=false",
  ];
}

function controllerManagerLaunch(
  binaries: Binaries<"kube-controller-manager">,
  pki: Pki,
  kubeconfig: string,
  port: number,
): Launch {
  return {
    name: "kube-controller-manager",
    binary: binaries["kube-controller-manager"].path,
    args: [
      ...componentAuth(kubeconfig),
      `--secure-port=${port}`,
      "--controllers=*",
      `--service-account-private-key-file=${pki.serviceAccountKey}`,
      `--root-ca-file=${pki.caCert}`,
      `--cluster-signing-cert-file=${pki.caCert}`,
      `--cluster-signing-key-file=${pki.caKey}`,
    ],
    health: `https://127.0.0.1:${port}/healthz`,
    // It serves a self-signed certificate it makes at start-up; this is a loopback probe.
    tls: { insecure: true },
  };
}

function schedulerLaunch(binaries: Binaries<"kube-scheduler">, kubeconfig: string, port: number): Launch {
  return {
    name: "kube-scheduler",
    binary: binaries["kube-scheduler"].path,
    args: [...componentAuth(kubeconfig), `--secure-port=${port}`],
    health: `https://127.0.0.1:${port}/healthz`,
    tls: { insecure: true },
  };
}

function kwokLaunch(binaries: Binaries<"kwok">, kubeconfig: string, port: number): Launch {
  return {
    name: "kwok",
    binary: binaries.kwok.path,
    args: [
      `--kubeconfig=${kubeconfig}`,
      "--manage-all-nodes=false",
      `--manage-nodes-with-annotation-selector=${fakeNodeAnnotation.key}=${fakeNodeAnnotation.value}`,
      // Without a node Lease, kwok's only heartbeat is a node status patch about once a
      // minute, later than the node lifecycle controller's 50 s grace: every node would turn
      // NotReady for a few seconds each minute, and with it every pod on it.
      "--node-lease-duration-seconds=40",
      // kwok gives pods their IPs from this range (its default is a /24, 254 addresses);
      // the operator benchmark runs 2000 pods.
      "--cidr=10.1.0.1/16",
      `--server-address=127.0.0.1:${port}`,
    ],
    health: `http://127.0.0.1:${port}/healthz`,
  };
}
