import { fileURLToPath } from "node:url";
import { resolveBinaries } from "../../controlplane/binaries.ts";
import { stderrProgress } from "../../controlplane/progress.ts";
import { controlPlane } from "./control-plane.ts";
import { runCommand, type CommandResult } from "./run-command.ts";

export const chartDir = fileURLToPath(new URL("../../../charts/processgroup-operator", import.meta.url));

let helmPath: Promise<string> | undefined;

/** Runs the real helm (built from its Go module, cached) against the test control plane. */
export async function helm(args: readonly string[]): Promise<CommandResult> {
  helmPath ??= resolveBinaries(["helm"], stderrProgress).then((b) => b.helm.path);
  const binary = await helmPath;
  return runCommand(binary, args, {
    env: { ...process.env, KUBECONFIG: controlPlane().kubeconfig, HELM_CACHE_HOME: "/tmp/pg-helm/cache", HELM_CONFIG_HOME: "/tmp/pg-helm/config", HELM_DATA_HOME: "/tmp/pg-helm/data" },
  });
}
