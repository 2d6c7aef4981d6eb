import { fileURLToPath } from "node:url";
import type { TestProject } from "vitest/node";
import { profileSchema } from "./control-plane-state.ts";
import { startControlPlane, stopControlPlane } from "./control-plane.ts";
import { stderrProgress } from "./progress.ts";
import type { ControlPlaneInfo } from "./test-context.ts";
import { prepareRunDir } from "./test-runs.ts";
import { readPinnedVersions } from "./versions.ts";

/**
 * One control plane for the whole integration run; each test isolates itself in its own
 * namespace. The `full` profile is the default because the controllers and kwok add only a
 * few seconds; PROCESSGROUP_TEST_PROFILE=apiserver skips them (those tests then skip).
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const profile = profileSchema.parse(process.env["PROCESSGROUP_TEST_PROFILE"] ?? "full");
  const runs = fileURLToPath(new URL("../../.cluster/test-runs", import.meta.url));
  const dir = await prepareRunDir(runs, stderrProgress);
  const state = await startControlPlane({ profile, dir, detached: false, progress: stderrProgress });

  const info: ControlPlaneInfo = {
    profile: state.profile,
    server: state.server,
    kubeconfig: state.kubeconfig,
    kubectl: state.kubectl,
    logDir: state.logDir,
    expectedKubernetesVersion: state.apiserverFromKubebuilderAssets ? null : readPinnedVersions().KUBERNETES_VERSION,
  };
  project.provide("controlPlane", info);
  // For child processes the tests start (kubectl, helm, the operator).
  process.env["KUBECONFIG"] = state.kubeconfig;

  return async () => {
    await stopControlPlane(state, stderrProgress);
    stderrProgress(`control plane stopped; logs kept in ${state.logDir}`);
  };
}
