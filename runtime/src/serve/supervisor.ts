import { fork, type ChildProcess, type SendHandle } from "node:child_process";
import { readFile } from "node:fs/promises";
import type { AddressInfo } from "node:net";
import { AggregatorRegistry } from "prom-client";
import type { Logger } from "pino";
import { createAdminServer, type AdminSource } from "../admin/admin-server.ts";
import { createLogger } from "../observability/logger.ts";
import { closeListenHandle, sendableHandle, type ListenHandle } from "../process/listen-handle.ts";
import { DEFAULT_HTTP_LIMITS, type HttpLimits, type RuntimeSettings } from "../settings/runtime-settings.ts";
import { groupFromFile } from "../settings/settings-from-file.ts";
import type { FromChild, ToChild } from "./ipc.ts";

const CHILD_ENTRY = new URL("./child.ts", import.meta.url);
const QUERY_TIMEOUT_MS = 2_000;
const MAX_RESTART_DELAY_MS = 5_000;
/** A process that ran this long before it died was healthy: its successor starts without back-off. */
const HEALTHY_RUN_MS = 10_000;

export interface ServeOptions {
  readonly file: string;
  readonly name?: string | undefined;
  readonly host: string;
  readonly port: number;
  readonly adminHost: string;
  readonly adminPort: number;
  readonly accessLog: boolean;
  readonly logLevel: string;
  readonly reloadOnChange: boolean;
  readonly http?: HttpLimits;
}

/** One of the group's processes, restarted in place when it dies. */
interface Slot {
  readonly index: number;
  child: ChildProcess | undefined;
  restarts: number;
  /**
   * The slot's listening socket (SO_REUSEPORT, one per slot), held open here without
   * accepting while processes come and go. Closing a reusePort socket resets the connections
   * in its accept queue, and while a slot has no socket its share of new connections is
   * refused; held here, the socket outlives each process and a successor accepts what its
   * predecessor left queued.
   */
  listener: ListenHandle | undefined;
}

type Answer = Extract<FromChild, { q: number }>;

/** The part of `registry.getMetricsAsJSON()` the supervisor touches. */
interface MetricJson {
  readonly values: readonly { readonly labels: Readonly<Record<string, string | number>> }[];
}

/**
 * `processgroup serve`: runs a ProcessGroup on this machine the way mod_wsgi-express runs a
 * daemon group: `processes` OS processes share the port (SO_REUSEPORT, so the kernel spreads
 * connections), each with the group's threads; a dead process is started again; the admin
 * port answers for all of them; SIGTERM drains them all.
 */
class Supervisor implements AdminSource {
  readonly #settings: RuntimeSettings;
  readonly #slots: Slot[];
  readonly #log: Logger;
  readonly #waiting = new Map<number, (answer: Answer) => void>();
  /** Every live process, including one that drains while its successor has taken its slot. */
  readonly #children = new Set<ChildProcess>();
  #nextQuery = 1;
  #stopping = false;
  #port: number;

  constructor(settings: RuntimeSettings, processes: number, log: Logger) {
    this.#settings = settings;
    this.#port = settings.port;
    this.#log = log;
    this.#slots = Array.from({ length: processes }, (_, index) => ({ index, child: undefined, restarts: 0, listener: undefined }));
  }

  get port(): number {
    return this.#port;
  }

  /** Starts the first process, learns the port it got (the user may ask for port 0), then the rest. */
  async start(): Promise<void> {
    const [first, ...rest] = this.#slots;
    if (first) this.#port = await this.#startChild(first);
    await Promise.all(rest.map((slot) => this.#startChild(slot)));
  }

  #startChild(slot: Slot): Promise<number> {
    return new Promise((resolve, reject) => {
      const child = fork(CHILD_ENTRY, [], { stdio: ["ignore", "inherit", "inherit", "ipc"] });
      const startedAt = Date.now();
      let listened = false;
      slot.child = child;
      this.#children.add(child);
      child.on("message", (message: FromChild, handle: SendHandle) => {
        if (message.t === "listening") {
          listened = true;
          if (handle && slot.listener === undefined) slot.listener = handle;
          else if (handle) closeListenHandle(handle);
          return resolve(message.port);
        }
        if (message.t === "draining") return this.#succeed(slot, child, message.signal);
        this.#waiting.get(message.q)?.(message);
      });
      child.on("exit", (code, signal) => {
        this.#children.delete(child);
        reject(new Error(`process ${slot.index} exited with ${signal ?? code} before it listened`));
        // Its successor took the slot when it began to drain: nothing to restart.
        if (slot.child !== child) return;
        slot.child = undefined;
        // A process that cannot even listen must not leave connections queued on a socket no
        // one accepts from: its successor opens a fresh one.
        if (!listened) this.#releaseListener(slot);
        if (this.#stopping) return;
        if (Date.now() - startedAt >= HEALTHY_RUN_MS) slot.restarts = 0;
        const delay = Math.min(MAX_RESTART_DELAY_MS, 100 * 2 ** slot.restarts);
        slot.restarts += 1;
        this.#log.error({ process: slot.index, pid: child.pid, code, signal, restartInMs: delay }, "a process died; starting it again");
        setTimeout(() => {
          if (!this.#stopping && slot.child === undefined) this.#startChild(slot).catch((error: unknown) => this.#log.error({ error: String(error) }, "restart failed"));
        }, delay).unref();
      });
      const settings: RuntimeSettings = { ...this.#settings, port: this.#port };
      if (slot.listener) child.send({ t: "start", settings } satisfies ToChild, sendableHandle(slot.listener));
      else child.send({ t: "start", settings } satisfies ToChild);
    });
  }

  /**
   * A process told to stop on its own (a rollout sends SIGTERM to one process at a time, as
   * the kubelet does to pods) is replaced at once: its successor accepts from the slot's
   * socket while it drains, so the slot never stops taking connections. SIGINT is left
   * alone: Ctrl-C reaches every process at once, and the supervisor is stopping too.
   */
  #succeed(slot: Slot, draining: ChildProcess, signal: NodeJS.Signals): void {
    if (this.#stopping || slot.child !== draining || signal !== "SIGTERM") return;
    this.#log.info({ process: slot.index, pid: draining.pid }, "a process is draining; starting its successor");
    this.#startChild(slot).catch((error: unknown) => this.#log.error({ error: String(error) }, "successor failed to start"));
  }

  #releaseListener(slot: Slot): void {
    if (slot.listener) closeListenHandle(slot.listener);
    slot.listener = undefined;
  }

  async #ask<K extends ToChild["t"] & Answer["t"]>(slot: Slot, t: K): Promise<Extract<Answer, { t: K }> | undefined> {
    const child = slot.child;
    if (!child?.connected) return undefined;
    const q = this.#nextQuery++;
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.#waiting.delete(q);
        resolve(undefined);
      }, QUERY_TIMEOUT_MS);
      this.#waiting.set(q, (answer) => {
        clearTimeout(timer);
        this.#waiting.delete(q);
        resolve(answer as Extract<Answer, { t: K }>);
      });
      child.send({ t, q } as ToChild);
    });
  }

  async readiness(): Promise<readonly string[] | null> {
    if (this.#stopping) return ["the group is shutting down"];
    const answers = await Promise.all(this.#slots.map(async (slot) => ({ slot, answer: await this.#ask(slot, "readiness") })));
    const reasons = answers.flatMap(({ slot, answer }) =>
      answer === undefined ? [`process ${slot.index}: not running or not answering`] : (answer.reasons ?? []).map((r) => `process ${slot.index}: ${r}`),
    );
    return reasons.length === 0 ? null : reasons;
  }

  async metrics(): Promise<{ contentType: string; text: string }> {
    const answers = await Promise.all(this.#slots.map(async (slot) => ({ slot, answer: await this.#ask(slot, "metrics") })));
    // Each process's series get a `process` label (its slot, stable across restarts) so the
    // per-thread series of different processes stay apart when added up.
    const labelled = answers.flatMap(({ slot, answer }) =>
      answer === undefined
        ? []
        : [
            (answer.metrics as MetricJson[]).map((m) => ({
              ...m,
              values: m.values.map((v) => ({ ...v, labels: { ...v.labels, process: String(slot.index) } })),
            })),
          ],
    );
    const registry = AggregatorRegistry.aggregate(labelled);
    return { contentType: registry.contentType, text: await registry.metrics() };
  }

  /** Stops every process; each drains within its graceful timeout, and is killed after the hard stop. */
  async stop(signal: NodeJS.Signals): Promise<void> {
    this.#stopping = true;
    // The port closes as the last process stops accepting: later clients are refused rather
    // than left waiting on a socket no one will accept from.
    for (const slot of this.#slots) this.#releaseListener(slot);
    const hardStopMs = (this.#settings.gracefulTimeoutSeconds + this.#settings.shutdownTimeoutSeconds + 1) * 1000;
    await Promise.all(
      [...this.#children].map(async (child) => {
        if (child.exitCode !== null || child.signalCode !== null) return;
        const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
        child.kill(signal === "SIGINT" ? "SIGTERM" : signal);
        const timer = setTimeout(() => child.kill("SIGKILL"), hardStopMs);
        await exited;
        clearTimeout(timer);
      }),
    );
  }
}

/** Runs `processgroup serve` until SIGTERM/SIGINT; returns the exit code. */
export async function serve(options: ServeOptions): Promise<number> {
  let text: string;
  try {
    text = await readFile(options.file, "utf8");
  } catch (error) {
    process.stderr.write(`${options.file}: cannot read the file (${(error as NodeJS.ErrnoException).code ?? String(error)})\n`);
    return 1;
  }
  const group = groupFromFile(
    text,
    options.file,
    {
      host: options.host,
      port: options.port,
      adminHost: options.adminHost,
      adminPort: options.adminPort,
      reusePort: true,
      reloadOnChange: options.reloadOnChange,
      accessLog: options.accessLog,
      logLevel: options.logLevel,
      http: options.http ?? DEFAULT_HTTP_LIMITS,
    },
    options.name,
  );
  if (!group.ok) {
    process.stderr.write(`${group.errors.join("\n")}\n`);
    return 1;
  }
  const { settings, processes } = group;
  const log = createLogger(settings.logLevel, { processGroup: settings.processGroup, role: "supervisor" });
  process.title = `${settings.displayName} (supervisor)`;
  const supervisor = new Supervisor(settings, processes, log);
  const stopped = new Promise<void>((resolve) => {
    let signalled = false;
    const onSignal = (signal: NodeJS.Signals) => {
      if (signalled) return;
      signalled = true;
      log.info({ signal }, "stopping every process");
      void supervisor.stop(signal).then(resolve);
    };
    process.on("SIGTERM", onSignal);
    process.on("SIGINT", onSignal);
  });
  const admin = createAdminServer(supervisor);
  await new Promise<void>((resolve, reject) => {
    admin.once("error", reject);
    admin.listen({ host: options.adminHost, port: options.adminPort }, () => resolve());
  });
  try {
    await supervisor.start();
  } catch (error) {
    log.fatal({ error: String(error) }, "cannot start");
    await supervisor.stop("SIGTERM");
    admin.close();
    return 1;
  }
  const adminPort = (admin.address() as AddressInfo).port;
  log.info(
    {
      url: `http://${settings.host.includes(":") ? `[${settings.host}]` : settings.host}:${supervisor.port}/`,
      port: supervisor.port,
      adminPort,
      processes,
      threads: settings.threads,
      multiprocess: settings.multiprocess,
      multithread: settings.multithread,
    },
    "serving",
  );
  await stopped;
  admin.close();
  admin.closeAllConnections();
  log.info("stopped");
  return 0;
}
