import { CoreV1Api } from "@kubernetes/client-node";
import { randomBytes } from "node:crypto";
import { waitForDefaultServiceAccount } from "../../controlplane/service-accounts.ts";
import { controlPlane, kubeConfig } from "./control-plane.ts";

export interface TestNamespace {
  name: string;
  delete(): Promise<void>;
}

export interface NamespaceOptions {
  /**
   * The test creates pods (directly or through a Deployment): wait for the namespace's
   * `default` ServiceAccount, without which the `full` profile's admission refuses pods.
   */
  pods?: boolean;
}

/**
 * Creates a uniquely named namespace, so tests (and test files running in parallel) never
 * see each other's objects.
 */
export async function createTestNamespace(hint = "test", options: NamespaceOptions = {}): Promise<TestNamespace> {
  const kc = kubeConfig();
  const core = kc.makeApiClient(CoreV1Api);
  const slug = hint.toLowerCase().replaceAll(/[^a-z0-9-]+/g, "-").replaceAll(/^-+|-+$/g, "").slice(0, 40);
  const name = `${slug || "test"}-${randomBytes(3).toString("hex")}`;
  await core.createNamespace({ body: { metadata: { name, labels: { "processgroup.dev/test": "true" } } } });
  if (options.pods === true && controlPlane().profile === "full") await waitForDefaultServiceAccount(kc, name, 30_000);
  return {
    name,
    // Without kube-controller-manager (the `apiserver` profile) a deleted namespace stays
    // Terminating; that is harmless, the control plane is thrown away after the run.
    delete: async () => {
      await core.deleteNamespace({ name });
    },
  };
}

/** Runs `body` in a fresh namespace and deletes the namespace afterwards. */
export async function withNamespace<T>(
  hint: string,
  body: (namespace: string) => Promise<T>,
  options: NamespaceOptions = {},
): Promise<T> {
  const namespace = await createTestNamespace(hint, options);
  try {
    return await body(namespace.name);
  } finally {
    await namespace.delete();
  }
}
