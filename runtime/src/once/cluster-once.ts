import { existsSync } from "node:fs";
import type { Logger } from "pino";
import type { OnceBackend } from "./once-backend.ts";

const TOKEN_PATH = "/var/run/secrets/kubernetes.io/serviceaccount/token";

/**
 * The Lease backend for a pod that has what it needs (its namespace, its pod-template
 * revision, a ServiceAccount token and the API server's address), else undefined. Nothing of
 * it loads until the first once() call: most apps never make one.
 */
export function clusterOnce(env: NodeJS.ProcessEnv, takeoverMs: number, log: Logger): OnceBackend | undefined {
  const group = env.PROCESSGROUP_NAME;
  const namespace = env.PROCESSGROUP_NAMESPACE;
  const revision = env.PROCESSGROUP_REVISION;
  if (!group || !namespace || !revision || !env.KUBERNETES_SERVICE_HOST || !existsSync(TOKEN_PATH)) return undefined;
  let loaded: Promise<OnceBackend> | undefined;
  const backend = () =>
    (loaded ??= (async () => {
      const [{ LeaseClient, serviceAccountAccess }, { leaseOnce }] = await Promise.all([import("./lease-client.ts"), import("./lease-once.ts")]);
      log.info({ namespace, revision, takeoverSeconds: takeoverMs / 1000 }, "once: coordinating the group's processes through Leases");
      return leaseOnce({ client: new LeaseClient(serviceAccountAccess(env)), namespace, group, revision, takeoverMs, ownerUid: env.PROCESSGROUP_UID || undefined });
    })());
  return {
    takeoverMs,
    claim: async (key, holder) => (await backend()).claim(key, holder),
    renew: async (key, holder) => (await backend()).renew(key, holder),
    finish: async (key, holder, error) => (await backend()).finish(key, holder, error),
    release: async (key, holder) => (await backend()).release(key, holder),
  };
}
