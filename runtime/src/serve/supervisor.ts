import type { AddressInfo } from "node:net";
import type { Server } from "node:http";
import type { Logger } from "pino";
import { createAdminServer } from "../admin/admin-server.ts";
import { createLogger, LOG_FORMAT_ENV, type LogFormat } from "../observability/logger.ts";
import { cpuCores } from "../process/cpu-cores.ts";
import { DEFAULT_HTTP_LIMITS, type HttpLimits, type LocalOptions } from "../settings/runtime-settings.ts";
import type { Source } from "./pick-group.ts";
import { pickGroupApart } from "./pick-group-apart.ts";
import { bannerLines, mountsByGroup, urlOf } from "./banner.ts";
import { Supervisor } from "./group-supervisor.ts";
import { portProblem, probePort } from "./port-probe.ts";

export type { Source };

export interface ServeOptions {
  readonly sources: readonly Source[];
  readonly name?: string | undefined;
  readonly host: string;
  readonly port: number;
  readonly adminHost: string;
  readonly adminPort: number;
  readonly accessLog: boolean;
  readonly logLevel: string;
  readonly logFormat: LogFormat;
  readonly reloadOnChange: boolean;
  readonly http?: HttpLimits;
}

const SIGNALS = ["SIGTERM", "SIGINT", "SIGHUP"] as const;
/**
 * A drain still running after this long waits on requests or open connections (an idle
 * process is gone within the 1 s it keeps the port open): worth a line saying so.
 */
const DRAIN_NOTICE_MS = 3_000;
const PARENT_POLL_MS = 500;

/** Every problem on stderr, one a line, each with the prefix of the command. */
function fail(lines: readonly string[]): number {
  process.stderr.write(lines.map((l) => `processgroup serve: ${l}\n`).join(""));
  return 1;
}

function listenAdmin(admin: Server, host: string, port: number): Promise<string | undefined> {
  return new Promise((resolve) => {
    admin.once("error", (error: NodeJS.ErrnoException) => resolve(error.code ?? String(error)));
    admin.listen({ host, port }, () => resolve(undefined));
  });
}

/**
 * npm and npx do not forward signals to the command they run, so `kill` of an npx process
 * orphans the server. Under npm, a changed parent means npm has gone: stop as if signalled.
 */
function watchParent(onLost: () => void): () => void {
  if (process.env["npm_command"] === undefined) return () => {};
  const parent = process.ppid;
  const timer = setInterval(() => {
    if (process.ppid === parent) return;
    clearInterval(timer);
    onLost();
  }, PARENT_POLL_MS);
  timer.unref();
  return () => clearInterval(timer);
}

/** Runs `processgroup serve` until SIGTERM, SIGINT or SIGHUP; returns the exit code. */
export async function serve(options: ServeOptions): Promise<number> {
  const local: Omit<LocalOptions, "dispatch" | "onceTakeoverMs"> = {
    host: options.host,
    port: options.port,
    adminHost: options.adminHost,
    adminPort: options.adminPort,
    reloadOnChange: options.reloadOnChange,
    accessLog: options.accessLog,
    logLevel: options.logLevel,
    http: options.http ?? DEFAULT_HTTP_LIMITS,
  };
  const group = pickGroupApart({ sources: options.sources, name: options.name, local });
  if (!group.ok) return fail(group.errors);
  const { processes } = group;
  // The processes share this machine's cores; in a cluster each pod has its own.
  const settings = { ...group.settings, cores: Math.max(1, Math.floor(cpuCores() / processes)) };

  // Only the group's own processes may share its port (see probePort); the admin port too is
  // checked before any process starts, so a taken port is one line, not a restart loop.
  if (options.port !== 0) {
    const taken = await probePort(options.host, options.port);
    if (taken) return fail([portProblem(taken, options.host, options.port, "--port")]);
  }
  const log = createLogger(settings.logLevel, { processGroup: settings.processGroup }, { component: "supervisor", format: options.logFormat });
  const supervisor = new Supervisor(settings, processes, log);
  const adminServer = createAdminServer(supervisor);
  const adminTaken = await listenAdmin(adminServer, options.adminHost, options.adminPort);
  if (adminTaken) return fail([portProblem(adminTaken, options.adminHost, options.adminPort, "--admin-port")]);

  // The processes this one starts inherit the format (and the terminal).
  process.env[LOG_FORMAT_ENV] = options.logFormat;
  process.title = `${settings.displayName} (supervisor)`;
  const stopped = stopOnSignals(supervisor, log);
  try {
    await supervisor.start();
  } catch (error) {
    if (supervisor.stopping) {
      await stopped.code;
      adminServer.close();
      log.info("stopped during start-up");
      return 0;
    }
    log.fatal({ error: String(error) }, "cannot start");
    await supervisor.stop();
    adminServer.close();
    stopped.dispose();
    return fail([`cannot start: ${(error as Error).message} (its log lines above say why)`]);
  }
  const adminPort = (adminServer.address() as AddressInfo).port;
  const notReady = await supervisor.readiness();
  const url = urlOf(settings.host, supervisor.port);
  const adminUrl = urlOf(options.adminHost, adminPort);
  const facts = { file: options.sources.map((s) => s.file).join(", "), url, adminUrl, processes, notReady };
  if (options.logFormat === "pretty") process.stdout.write(`\n${bannerLines(settings, facts).join("\n")}\n`);
  log[notReady === null ? "info" : "warn"](
    {
      url,
      port: supervisor.port,
      adminUrl,
      adminPort,
      processes,
      threads: settings.threads,
      multiprocess: settings.multiprocess,
      multithread: settings.multithread,
      groups: mountsByGroup(settings),
      ...(notReady === null ? {} : { notReady }),
    },
    "serving",
  );
  const code = await stopped.code;
  adminServer.close();
  adminServer.closeAllConnections();
  log.info("stopped");
  return code;
}

/**
 * The first signal drains every process (and says so when the drain waits on requests); a
 * second one, such as a second Ctrl-C, stops at once.
 */
function stopOnSignals(supervisor: Supervisor, log: Logger): { code: Promise<number>; dispose: () => void } {
  let resolveCode!: (code: number) => void;
  const code = new Promise<number>((resolve) => (resolveCode = resolve));
  let signals = 0;
  const onSignal = (signal: NodeJS.Signals | "parent-exit") => {
    signals += 1;
    if (signals > 1) {
      log.warn({ signal }, "second signal: stopping every process at once");
      supervisor.kill();
      resolveCode(130);
      return;
    }
    const upToSeconds = Math.ceil(supervisor.hardStopMs / 1000);
    log.info({ signal, upToSeconds }, signal === "parent-exit" ? "npm exited (it does not forward signals): stopping every process" : "stopping every process");
    const notice = setTimeout(() => {
      const running = supervisor.running;
      if (running > 0) log.warn({ processes: running, upToSeconds }, `waiting for in-flight requests to finish (up to ${upToSeconds} s); press Ctrl-C again to stop at once`);
    }, DRAIN_NOTICE_MS);
    notice.unref();
    void supervisor.stop().then(() => {
      clearTimeout(notice);
      resolveCode(0);
    });
  };
  for (const s of SIGNALS) process.on(s, onSignal);
  const stopWatching = watchParent(() => onSignal("parent-exit"));
  const dispose = () => {
    for (const s of SIGNALS) process.off(s, onSignal);
    stopWatching();
  };
  void code.then(dispose);
  return { code, dispose };
}
