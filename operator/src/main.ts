import { KubeConfig } from "@kubernetes/client-node";
import { createLogger } from "./observability/logger.ts";
import { Operator } from "./operator.ts";
import { defaultIdentity, ownNamespace, parseOperatorFlags } from "./options.ts";

export type RunResult = { ok: true } | { ok: false; usage: string };

/**
 * `processgroup operator`: runs until SIGTERM or SIGINT, then shuts down gracefully (no new
 * work, reconciles in flight finish, the lease is released). A second signal exits at once.
 */
export async function runOperator(values: Record<string, unknown>): Promise<RunResult> {
  const result = parseOperatorFlags(values);
  if (!result.ok) return { ok: false, usage: result.message };
  const flags = result.flags;
  const log = createLogger(flags["log-level"]);

  const kubeConfig = new KubeConfig();
  if (flags.kubeconfig) kubeConfig.loadFromFile(flags.kubeconfig);
  else kubeConfig.loadFromDefault();

  const identity = flags.identity ?? defaultIdentity();
  const operator = new Operator({
    kubeConfig,
    namespaces: flags.namespaces,
    workers: flags.concurrency,
    resyncPeriodMs: flags["resync-period"] * 1000,
    runtimeImage: flags["runtime-image"],
    port: flags["metrics-port"],
    host: flags["bind-address"],
    leaderElection: {
      enabled: flags["leader-elect"],
      namespace: flags["lease-namespace"] ?? ownNamespace(),
      name: flags["lease-name"],
      identity,
      timings: { leaseDurationMs: flags["lease-duration"] * 1000, renewDeadlineMs: flags["renew-deadline"] * 1000, retryPeriodMs: flags["retry-period"] * 1000 },
    },
    reconcileBackoff: { baseMs: 500, maxMs: 60_000 },
    watchBackoff: { baseMs: 500, maxMs: 30_000 },
    log,
  });

  const stopped = new Promise<void>((resolve) => {
    let stopping = false;
    const onSignal = (signal: NodeJS.Signals): void => {
      if (stopping) {
        log.warn({ signal }, "second signal; exiting now");
        process.exit(1);
      }
      stopping = true;
      log.info({ signal }, "shutting down");
      operator.stop().then(resolve, (error: unknown) => {
        log.error({ err: String(error) }, "shutdown failed");
        resolve();
      });
    };
    process.on("SIGTERM", onSignal);
    process.on("SIGINT", onSignal);
  });
  await operator.start();
  await stopped;
  return { ok: true };
}
