import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import type { TestProject } from "vitest/node";
import { resolveBinaries } from "../controlplane/binaries.ts";
import { startControlPlane, stopControlPlane } from "../controlplane/control-plane.ts";
import { secondsSince, stderrProgress } from "../controlplane/progress.ts";
import { prepareRunDir } from "../controlplane/test-runs.ts";
import { runCommand } from "../integration/support/run-command.ts";
import type { E2eCluster } from "./support/e2e-context.ts";

const repo = fileURLToPath(new URL("../../", import.meta.url));
export const operatorNamespace = "processgroup-system";
const release = "pgo";

/** `npm run images` against the cluster's registry; its stdout is one TARGET=REF per image. */
async function buildImages(registry: string): Promise<E2eCluster["images"]> {
  const started = performance.now();
  const child = spawn("bash", ["images/build.sh"], {
    cwd: repo,
    env: { ...process.env, PROCESSGROUP_REGISTRY: registry, PROCESSGROUP_IMAGE_TAG: "e2e" },
    stdio: ["ignore", "pipe", process.stderr],
  });
  let out = "";
  child.stdout.setEncoding("utf8").on("data", (chunk: string) => (out += chunk));
  const code = await new Promise<number | null>((resolve) => child.once("close", resolve));
  if (code !== 0) throw new Error(`images/build.sh failed (exit ${String(code)})`);
  const refs = Object.fromEntries(out.trim().split("\n").map((line) => line.split("=", 2) as [string, string]));
  const { operator, runtime, examples } = refs;
  if (operator === undefined || runtime === undefined || examples === undefined) throw new Error(`images/build.sh printed ${out}`);
  stderrProgress(`images built and pushed in ${secondsSince(started)}`);
  return { operator, runtime, examples };
}

function splitRef(ref: string): { repository: string; tag: string } {
  const at = ref.lastIndexOf(":");
  return { repository: ref.slice(0, at), tag: ref.slice(at + 1) };
}

/**
 * One real-node cluster for the e2e run: the full control plane with containerd, a kubelet
 * and kube-proxy, the images built from the Dockerfile and pushed to its registry, and the
 * chart installed with them in a namespace that enforces the restricted Pod Security profile.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const runs = fileURLToPath(new URL("../../.cluster/e2e-runs", import.meta.url));
  const dir = await prepareRunDir(runs, stderrProgress);
  const state = await startControlPlane({ profile: "full", dir, detached: false, progress: stderrProgress, kubelet: true });
  const teardown = async (): Promise<void> => {
    await stopControlPlane(state, stderrProgress);
    stderrProgress(`real-node cluster stopped; logs kept in ${state.logDir}`);
  };
  try {
    const registry = state.node?.registry;
    if (registry === undefined) throw new Error("the control plane started without its node");
    const images = await buildImages(registry);
    const env = { ...process.env, KUBECONFIG: state.kubeconfig };
    const kubectl = (args: string[]) => runCommand(state.kubectl, args, { env });
    await kubectl(["create", "namespace", operatorNamespace]);
    await kubectl(["label", "namespace", operatorNamespace, "pod-security.kubernetes.io/enforce=restricted"]);
    const { helm } = await resolveBinaries(["helm"], stderrProgress);
    const operator = splitRef(images.operator);
    const started = performance.now();
    const installed = await runCommand(
      helm.path,
      [
        "install", release, fileURLToPath(new URL("../../charts/processgroup-operator", import.meta.url)),
        "--namespace", operatorNamespace,
        "--set", `image.repository=${operator.repository}`,
        "--set", `image.tag=${operator.tag}`,
        "--set", `runtimeImage=${images.runtime}`,
        "--wait", "--timeout", "180s",
      ],
      { env: { ...env, HELM_CACHE_HOME: `${dir}/helm/cache`, HELM_CONFIG_HOME: `${dir}/helm/config`, HELM_DATA_HOME: `${dir}/helm/data` } },
    );
    if (installed.exitCode !== 0) throw new Error(`helm install failed: ${installed.stderr}`);
    stderrProgress(`chart installed and its operator pod ready in ${secondsSince(started)}`);
    const cluster: E2eCluster = {
      kubeconfig: state.kubeconfig,
      kubectl: state.kubectl,
      registry,
      images,
      operator: { namespace: operatorNamespace, release },
      logDir: state.logDir,
    };
    project.provide("e2eCluster", cluster);
    process.env["KUBECONFIG"] = state.kubeconfig;
  } catch (error) {
    await teardown();
    throw error;
  }
  return teardown;
}
