import type { AddressInfo } from "node:net";
import { createAdminServer } from "../admin/admin-server.ts";
import { createLogger } from "../observability/logger.ts";
import type { RuntimeSettings } from "../settings/runtime-settings.ts";
import type { OnceBackend } from "../once/once-backend.ts";
import { clusterOnce } from "../once/cluster-once.ts";
import { ProcessRuntime, type DEALT } from "./process-runtime.ts";

export interface RunOptions {
  /** Serve /healthz, /readyz and /metrics on settings.adminPort (a `serve` child reports to its supervisor instead). */
  readonly adminServer: boolean;
  /** Called as soon as the apps' port listens (the groups may still be loading). */
  readonly listening?: (runtime: ProcessRuntime, port: number) => void;
  /** DEALT: listen on nothing, another process deals the connections (ProcessRuntime.adopt). */
  readonly listenOn?: typeof DEALT | undefined;
  /** Called once, when a signal starts the drain. */
  readonly stopping?: (signal: NodeJS.Signals) => void;
  /** Who coordinates env.once() (a `serve` supervisor); absent: a Lease in a pod, else this process alone. */
  readonly once?: OnceBackend | undefined;
}

/**
 * Runs one runtime process until SIGTERM or SIGINT, then drains. The hard stop is
 * gracefulTimeout + shutdownTimeout after the signal, whatever is still running.
 */
export async function runProcess(settings: RuntimeSettings, options: RunOptions): Promise<number> {
  process.title = settings.displayName;
  const log = createLogger(settings.logLevel, { processGroup: settings.processGroup });
  const runtime = new ProcessRuntime(settings, log, { defaultMetrics: true, once: options.once ?? clusterOnce(process.env, settings.onceTakeoverMs, log) });
  const admin = options.adminServer ? createAdminServer(runtime) : undefined;
  let adminPort: number | undefined;
  if (admin) {
    await new Promise<void>((resolve, reject) => {
      admin.once("error", reject);
      admin.listen({ host: settings.adminHost, port: settings.adminPort }, () => resolve());
    });
    adminPort = (admin.address() as AddressInfo).port;
    log.info({ adminPort }, "admin listening");
  }
  const stopped = new Promise<number>((resolve) => {
    const onSignal = (signal: NodeJS.Signals) => {
      log.info({ signal }, "stopping");
      options.stopping?.(signal);
      const hardStopMs = (settings.gracefulTimeoutSeconds + settings.shutdownTimeoutSeconds) * 1000;
      setTimeout(() => {
        log.error({ shutdownTimeoutSeconds: settings.shutdownTimeoutSeconds }, "shutdown timeout: exiting hard");
        process.exit(1);
      }, hardStopMs).unref();
      void runtime.stop().then(() => {
        admin?.close();
        admin?.closeAllConnections();
        resolve(0);
      });
    };
    // A second signal (Ctrl-C reaches a whole process tree) must not cut the drain short.
    let signalled = false;
    const once = (signal: NodeJS.Signals) => {
      if (signalled) return;
      signalled = true;
      onSignal(signal);
    };
    process.on("SIGTERM", once);
    process.on("SIGINT", once);
  });
  try {
    await runtime.start((port) => options.listening?.(runtime, port), options.listenOn);
  } catch (error) {
    log.fatal({ error: String(error) }, "cannot start");
    admin?.close();
    return 1;
  }
  return stopped;
}
