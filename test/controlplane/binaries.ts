import { spawn } from "node:child_process";
import { accessSync, constants } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { secondsSince, type Progress } from "./progress.ts";
import { readPinnedVersions, type PinnedVersions } from "./versions.ts";

export const components = [
  "etcd",
  "kube-apiserver",
  "kube-controller-manager",
  "kube-scheduler",
  "kubectl",
  "kwok",
  "helm",
  // A real node (`cluster:up -- --kubelet`, the e2e suite).
  "kubelet",
  "kube-proxy",
  "crane",
  "pause",
] as const;
export type Component = (typeof components)[number];

/** Where a binary came from: the user's envtest assets, or our own build cache. */
export interface ResolvedBinary {
  path: string;
  source: "kubebuilder-assets" | "cache";
}
export type Binaries<C extends Component> = Record<C, ResolvedBinary>;

// build.sh builds per target, and one target can yield several binaries (the Kubernetes
// module builds all four of its commands in one `go build`, sharing the compile).
type BuildTarget = "etcd" | "kubernetes" | "kwok" | "helm" | "kubernetes-node" | "crane" | "pause";
const buildTargetOf: Record<Component, BuildTarget> = {
  etcd: "etcd",
  "kube-apiserver": "kubernetes",
  "kube-controller-manager": "kubernetes",
  "kube-scheduler": "kubernetes",
  kubectl: "kubernetes",
  kwok: "kwok",
  helm: "helm",
  kubelet: "kubernetes-node",
  "kube-proxy": "kubernetes-node",
  crane: "crane",
  pause: "pause",
};

// envtest's asset directory only ever holds these three.
const envtestComponents: ReadonlySet<Component> = new Set(["etcd", "kube-apiserver", "kubectl"]);

export function cacheRoot(): string {
  return process.env["PROCESSGROUP_CACHE"] ?? join(homedir(), ".cache", "processgroup");
}

function cachedPath(component: Component, versions: PinnedVersions): string {
  const target = buildTargetOf[component];
  const version = {
    etcd: versions.ETCD_VERSION,
    kubernetes: versions.KUBERNETES_VERSION,
    kwok: versions.KWOK_VERSION,
    helm: versions.HELM_VERSION,
    "kubernetes-node": versions.KUBERNETES_VERSION,
    crane: versions.CRANE_VERSION,
    // Our own program (test/controlplane/pause); its directory changes name when it does.
    pause: "1",
  }[target];
  return join(cacheRoot(), "bin", `${target}-${version}`, component);
}

function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

function fromKubebuilderAssets(component: Component): string | undefined {
  const assets = process.env["KUBEBUILDER_ASSETS"];
  if (assets === undefined || assets === "" || !envtestComponents.has(component)) return undefined;
  const path = join(assets, component);
  return isExecutable(path) ? path : undefined;
}

/**
 * Finds each wanted binary, building the missing ones once with build.sh (its progress
 * goes straight to our stderr, since a cold Kubernetes build runs for many minutes).
 */
export async function resolveBinaries<C extends Component>(
  wanted: readonly C[],
  progress: Progress,
): Promise<Binaries<C>> {
  const versions = readPinnedVersions();
  const missingTargets = new Set<BuildTarget>();
  for (const component of wanted) {
    if (fromKubebuilderAssets(component) === undefined && !isExecutable(cachedPath(component, versions))) {
      missingTargets.add(buildTargetOf[component]);
    }
  }
  for (const target of missingTargets) await build(target, progress);

  const resolved: Partial<Binaries<C>> = {};
  for (const component of wanted) {
    const assets = fromKubebuilderAssets(component);
    const path = assets ?? cachedPath(component, versions);
    if (!isExecutable(path)) throw new Error(`${component}: expected an executable at ${path} after building`);
    resolved[component] = { path, source: assets === undefined ? "cache" : "kubebuilder-assets" };
  }
  return resolved as Binaries<C>;
}

async function build(target: BuildTarget, progress: Progress): Promise<void> {
  const script = fileURLToPath(new URL("./build.sh", import.meta.url));
  const started = performance.now();
  progress(`${target} is not cached under ${cacheRoot()}; building it from its Go modules`);
  const child = spawn("bash", [script, target], { stdio: ["ignore", process.stderr, process.stderr] });
  const code = await new Promise<number | null>((resolve, reject) => {
    child.once("error", reject);
    child.once("exit", resolve);
  });
  if (code !== 0) throw new Error(`build.sh ${target} failed with exit code ${String(code)}`);
  progress(`${target} built in ${secondsSince(started)}`);
}
