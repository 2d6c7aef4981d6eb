import { readFile, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { z } from "zod";
import { processRecordSchema } from "./processes.ts";

export const profileSchema = z.enum(["apiserver", "full"]);
/** `apiserver`: etcd + kube-apiserver. `full`: plus controller-manager, scheduler and kwok. */
export type Profile = z.infer<typeof profileSchema>;

/**
 * Everything needed to use or stop a control plane, written to `<dir>/state.json` after
 * each process starts, so a crash half-way through start-up still leaves a way to clean up.
 */
/** A real node (`--kubelet`): what teardown needs beyond the processes. */
export const realNodeStateSchema = z.object({
  /** containerd's root and state, the kubelet's root, CNI's files: everything mounted is under it. */
  root: z.string(),
  containerdSocket: z.string(),
  kubeProxy: z.string(),
  /** 127.0.0.1:PORT of the local registry (PROCESSGROUP_REGISTRY). */
  registry: z.string(),
  /** Host sysctls as they were before the kubelet changed them. */
  sysctls: z.record(z.string(), z.string()),
});
export type RealNodeState = z.infer<typeof realNodeStateSchema>;

export const controlPlaneStateSchema = z.object({
  profile: profileSchema,
  dir: z.string(),
  server: z.string(),
  kubeconfig: z.string(),
  logDir: z.string(),
  etcdDataDir: z.string(),
  kubectl: z.string(),
  /** True when KUBEBUILDER_ASSETS supplied kube-apiserver, whose version we then do not pin. */
  apiserverFromKubebuilderAssets: z.boolean(),
  processes: z.array(processRecordSchema),
  node: realNodeStateSchema.optional(),
});
export type ControlPlaneState = z.infer<typeof controlPlaneStateSchema>;

export const stateFile = (dir: string): string => join(dir, "state.json");

export async function writeState(state: ControlPlaneState): Promise<void> {
  await writeFile(stateFile(state.dir), `${JSON.stringify(state, null, 2)}\n`);
}

export async function readState(dir: string): Promise<ControlPlaneState | undefined> {
  let text: string;
  try {
    text = await readFile(stateFile(dir), "utf8");
  } catch {
    return undefined;
  }
  return controlPlaneStateSchema.parse(JSON.parse(text));
}

export async function removeState(dir: string): Promise<void> {
  await rm(stateFile(dir), { force: true });
}
