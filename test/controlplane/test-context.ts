import type { ControlPlaneState } from "./control-plane-state.ts";

/** What the global setup hands every integration test file through vitest's provide/inject. */
export type ControlPlaneInfo = Pick<ControlPlaneState, "profile" | "server" | "kubeconfig" | "kubectl" | "logDir"> & {
  /** The pinned Kubernetes version the apiserver reports; null for a user's envtest binaries. */
  expectedKubernetesVersion: string | null;
};

declare module "vitest" {
  export interface ProvidedContext {
    controlPlane: ControlPlaneInfo;
  }
}
