import { KubeConfig } from "@kubernetes/client-node";
import { inject } from "vitest";
import type { ControlPlaneInfo } from "../../controlplane/test-context.ts";

/** The control plane the integration run's global setup started. */
export function controlPlane(): ControlPlaneInfo {
  return inject("controlPlane");
}

/** A fresh admin KubeConfig for the test control plane (cheap; one per test is fine). */
export function kubeConfig(): KubeConfig {
  const kc = new KubeConfig();
  kc.loadFromFile(controlPlane().kubeconfig);
  return kc;
}
