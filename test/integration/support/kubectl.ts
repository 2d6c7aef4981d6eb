import { controlPlane } from "./control-plane.ts";
import { runCommand, type CommandResult } from "./run-command.ts";

export type { CommandResult } from "./run-command.ts";

/** Runs the harness's kubectl against the test control plane; never throws on a non-zero exit. */
export function kubectl(args: readonly string[], options: { input?: string } = {}): Promise<CommandResult> {
  const { kubectl: binary, kubeconfig } = controlPlane();
  return runCommand(binary, args, { ...options, env: { ...process.env, KUBECONFIG: kubeconfig } });
}
