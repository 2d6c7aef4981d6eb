import { CoreV1Api, type KubeConfig } from "@kubernetes/client-node";
import { setTimeout as sleep } from "node:timers/promises";

/**
 * With the ServiceAccount admission plugin on (the `full` profile), a pod can only be
 * created once kube-controller-manager has made the namespace's `default` ServiceAccount;
 * waiting for it spares a ReplicaSet's retry back-off.
 */
export async function waitForDefaultServiceAccount(kubeConfig: KubeConfig, namespace: string, timeoutMs: number): Promise<void> {
  const core = kubeConfig.makeApiClient(CoreV1Api);
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const accounts = await core.listNamespacedServiceAccount({ namespace, fieldSelector: "metadata.name=default" });
    if (accounts.items.length > 0) return;
    if (Date.now() > deadline) throw new Error(`no default ServiceAccount in ${namespace} after ${timeoutMs / 1000}s`);
    await sleep(50);
  }
}
