import { KubeConfig } from "@kubernetes/client-node";
import { createLogger, defaultLogFormat } from "./observability/logger.ts";
import { Operator } from "./operator.ts";
import { defaultIdentity, ownNamespace, parseOperatorFlags } from "./options.ts";

export type RunResult = { ok: true } | { ok: false; usage: string } | { ok: false; error: string };

/** The kubeconfig, or one line naming the file and what is wrong with it. */
export function loadKubeConfig(file: string | undefined, env: NodeJS.ProcessEnv = process.env): { ok: true; kubeConfig: KubeConfig } | { ok: false; error: string } {
  const kubeConfig = new KubeConfig();
  const source = file ?? env["KUBECONFIG"];
  const named = file !== undefined ? `--kubeconfig ${file}` : `KUBECONFIG=${String(source)}`;
  try {
    if (file !== undefined) kubeConfig.loadFromFile(file);
    else kubeConfig.loadFromDefault();
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const why = code === "ENOENT" ? "no such file" : code === "EACCES" ? "permission denied" : code ?? (error as Error).message.split("\n")[0];
    return { ok: false, error: `${source === undefined ? "the default kubeconfig" : named}: cannot load the kubeconfig (${why}); point --kubeconfig at a kubeconfig file` };
  }
  if (kubeConfig.getCurrentCluster() === null) {
    return { ok: false, error: `${source === undefined ? "the default kubeconfig" : named}: no current context with a cluster; set current-context in the file or use kubectl config use-context` };
  }
  return { ok: true, kubeConfig };
}

/**
 * `processgroup operator`: runs until SIGTERM or SIGINT, then shuts down gracefully (no new
 * work, reconciles in flight finish, the lease is released). A second signal exits at once.
 */
export async function runOperator(values: Record<string, unknown>): Promise<RunResult> {
  const result = parseOperatorFlags(values);
  if (!result.ok) return { ok: false, usage: result.message };
  const flags = result.flags;
  const loaded = loadKubeConfig(flags.kubeconfig);
  if (!loaded.ok) return loaded;
  const kubeConfig = loaded.kubeConfig;
  const log = createLogger(flags["log-level"], undefined, flags["log-format"] ?? defaultLogFormat(process.env, process.stdout.isTTY === true));

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
