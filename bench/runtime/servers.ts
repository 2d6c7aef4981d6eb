// How to start each server of the bench and know it is ready. Every server runs the workloads of
// handlers.mjs (Apache: apps/app.wsgi) on 127.0.0.1 and is stopped with its whole process tree.
import { chmod, copyFile, mkdir, writeFile } from "node:fs/promises";
import { userInfo } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { apacheConfig } from "./apache-config.ts";
import { launch, stopTree, type Launched } from "./launch.ts";
import { snapshotTree } from "./process-tree.ts";
import { answers200, freePort, httpGet, waitFor, waitForServingLine } from "./readiness.ts";
import { APACHE_MODULES_DIR, type Tools } from "./tools.ts";
import type { ServerSpec } from "./types.ts";

const here = (path: string) => fileURLToPath(new URL(path, import.meta.url));
const NODE = process.execPath;
const READY_TIMEOUT_MS = 60_000;

export interface ServerContext {
  readonly tools: Tools;
  /** A fresh folder of this run; each server gets a subfolder. */
  readonly workDir: string;
  /** The most connections any workload opens. */
  readonly maxConnections: number;
}

export interface RunningServer {
  readonly spec: ServerSpec;
  readonly port: number;
  readonly launched: Launched;
  /** Something the server told about itself worth keeping (mod_wsgi's Python version). */
  readonly info: string | null;
  stop(): Promise<void>;
}

/** Why `spec` cannot run on this machine, or null. */
export function unavailableReason(spec: ServerSpec, tools: Tools): string | null {
  if (spec.kind === "pm2") return tools.pm2.reason;
  if (spec.kind === "apache") return tools.apache.reason ?? tools.modWsgi.reason;
  return null;
}

function running(spec: ServerSpec, port: number, launched: Launched, info: string | null = null): RunningServer {
  return { spec, port, launched, info, stop: () => stopTree(launched) };
}

/** Waits until the tree has `count` processes: every worker has been started. */
async function waitForProcesses(launched: Launched, count: number): Promise<void> {
  await waitFor(`${count} processes`, launched, READY_TIMEOUT_MS, async () => (await snapshotTree(launched.pid)).processes.length >= count);
}

async function startNodeScript(spec: ServerSpec, args: readonly string[]): Promise<RunningServer> {
  const launched = launch(NODE, args);
  try {
    const { port } = await waitForServingLine(launched, READY_TIMEOUT_MS);
    return running(spec, port, launched);
  } catch (error) {
    await stopTree(launched);
    throw error;
  }
}

async function startRuntime(spec: ServerSpec, context: ServerContext): Promise<RunningServer> {
  const file = join(context.workDir, `${spec.id}.yaml`);
  await writeFile(
    file,
    [
      "apiVersion: processgroup.dev/v1alpha1",
      "kind: ProcessGroup",
      "metadata:",
      "  name: bench",
      "spec:",
      `  processes: ${spec.processes}`,
      `  threads: ${spec.threads}`,
      ...(spec.concurrency === null ? [] : [`  concurrency: ${spec.concurrency}`]),
      "  applications:",
      "    - name: bench",
      "      mount: /",
      `      entry: ${here(`./apps/runtime-${spec.handler ?? "fetch"}.mjs`)}`,
      "",
    ].join("\n"),
  );
  const env = spec.dispatch === null ? process.env : { ...process.env, PROCESSGROUP_DISPATCH: spec.dispatch };
  const launched = launch(NODE, [here("../../bin/processgroup.js"), "serve", "-f", file, "--host", "127.0.0.1", "--port", "0", "--admin-port", "0", "--no-reload"], { env });
  try {
    const { port, adminPort } = await waitForServingLine(launched, READY_TIMEOUT_MS);
    if (adminPort === undefined) throw new Error(`processgroup serve printed no adminPort:\n${launched.tail()}`);
    await waitFor("/readyz", launched, READY_TIMEOUT_MS, answers200(`http://127.0.0.1:${adminPort}/readyz`));
    return running(spec, port, launched);
  } catch (error) {
    await stopTree(launched);
    throw error;
  }
}

async function startPm2(spec: ServerSpec, context: ServerContext): Promise<RunningServer> {
  const dir = join(context.workDir, spec.id);
  await mkdir(dir, { recursive: true });
  const port = await freePort();
  const ecosystem = join(dir, "ecosystem.json");
  const app = { name: "bench", script: here("./apps/pm2-app.mjs"), exec_mode: "cluster", instances: spec.processes, env: { PORT: String(port) } };
  await writeFile(ecosystem, JSON.stringify({ apps: [app] }, null, 2));
  // PM2_HOME in the run's folder: the user's own ~/.pm2 and daemon are never touched.
  const launched = launch(NODE, [context.tools.pm2.path!, "start", ecosystem], { env: { ...process.env, PM2_HOME: join(dir, "home") } });
  try {
    await waitForProcesses(launched, spec.processes + 1);
    await waitFor("an answer", launched, READY_TIMEOUT_MS, answers200(`http://127.0.0.1:${port}/hello`));
    return running(spec, port, launched);
  } catch (error) {
    await stopTree(launched);
    throw error;
  }
}

/** Apache as root must switch to an account; Debian's is www-data. */
function apacheAccount(): { user: string; group: string } | undefined {
  return userInfo().uid === 0 ? { user: "www-data", group: "www-data" } : undefined;
}

async function startApache(spec: ServerSpec, context: ServerContext): Promise<RunningServer> {
  const dir = join(context.workDir, spec.id);
  await mkdir(dir, { recursive: true });
  // The daemons run as www-data: they must reach the script and the socket folder.
  await chmod(context.workDir, 0o755);
  await chmod(dir, 0o755);
  const script = join(dir, "app.wsgi");
  await copyFile(here("./apps/app.wsgi"), script);
  await chmod(script, 0o644);
  const port = await freePort();
  const config = join(dir, "httpd.conf");
  await writeFile(
    config,
    apacheConfig({
      dir,
      port,
      processes: spec.processes,
      threads: spec.threads,
      modulesDir: APACHE_MODULES_DIR,
      wsgiScript: script,
      maxConnections: context.maxConnections,
      runAs: apacheAccount(),
    }),
  );
  // Debian's apache2 reads these from /etc/apache2/envvars when started by apache2ctl; the
  // generated config needs none of them, but the binary warns when they are unset.
  const env = { ...process.env, APACHE_RUN_DIR: dir, APACHE_LOCK_DIR: dir, APACHE_LOG_DIR: dir, APACHE_PID_FILE: join(dir, "httpd.pid"), LANG: "C" };
  const launched = launch(context.tools.apache.path!, ["-f", config, "-DFOREGROUND"], { env, cwd: dir });
  try {
    // the parent, two front children and the daemon processes
    await waitForProcesses(launched, 3 + spec.processes);
    await waitFor("an answer", launched, READY_TIMEOUT_MS, answers200(`http://127.0.0.1:${port}/hello`));
    const version = await httpGet(`http://127.0.0.1:${port}/version`, 5_000).catch(() => undefined);
    return running(spec, port, launched, version?.status === 200 ? version.body : null);
  } catch (error) {
    await stopTree(launched);
    throw error;
  }
}

export async function startServer(spec: ServerSpec, context: ServerContext): Promise<RunningServer> {
  switch (spec.kind) {
    case "plain":
      return startNodeScript(spec, [here("./apps/plain-server.mjs")]);
    case "cluster":
      return startNodeScript(spec, [here("./apps/cluster-server.mjs"), String(spec.processes)]);
    case "thread-hop":
      return startNodeScript(spec, [here("../thread-hop-server.ts")]);
    case "reuse-port":
      return startNodeScript(spec, [here("../reuse-port-server.ts"), String(spec.threads)]);
    case "runtime":
      return startRuntime(spec, context);
    case "pm2":
      return startPm2(spec, context);
    case "apache":
      return startApache(spec, context);
  }
}
