// Finds the tools the runtime bench runs (wrk, Apache with mod_wsgi, PM2) and their versions.
// A missing tool is reported with how to get it; the bench carries on with the others.
import { execFile } from "node:child_process";
import { access, readFile } from "node:fs/promises";
import { homedir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import type { ToolStatus } from "./types.ts";

const SETUP_HINT = "run `bash bench/setup.sh` (see BENCHMARKS.md)";

/** Where bench/setup.sh installs PM2, outside the project so that it is never a dependency. */
export const BENCH_HOME = process.env["PROCESSGROUP_BENCH_HOME"] ?? join(homedir(), ".cache", "processgroup", "bench");

export const APACHE_MODULES_DIR = "/usr/lib/apache2/modules";

export interface Tools {
  readonly wrk: ToolStatus;
  readonly apache: ToolStatus;
  readonly modWsgi: ToolStatus;
  readonly python: ToolStatus;
  readonly pm2: ToolStatus;
  readonly node: ToolStatus;
}

/** stdout and stderr of a command, whatever its exit code (`wrk -v` exits 1), or undefined if it cannot run. */
async function outputOf(command: string, args: readonly string[]): Promise<string | undefined> {
  try {
    const { stdout, stderr } = await promisify(execFile)(command, args, { timeout: 10_000 });
    return `${stdout}${stderr}`;
  } catch (error) {
    const { stdout, stderr, code } = error as { stdout?: string; stderr?: string; code?: unknown };
    if (code === "ENOENT" || (stdout === undefined && stderr === undefined)) return undefined;
    return `${stdout ?? ""}${stderr ?? ""}`;
  }
}

async function exists(path: string): Promise<boolean> {
  return access(path).then(
    () => true,
    () => false,
  );
}

const found = (path: string, version: string | null): ToolStatus => ({ available: true, version, path, reason: null });
const missing = (reason: string): ToolStatus => ({ available: false, version: null, path: null, reason });

async function findWrk(): Promise<ToolStatus> {
  const out = await outputOf("wrk", ["-v"]);
  const version = out === undefined ? undefined : /^wrk\s+(\S+)/m.exec(out)?.[1];
  return version === undefined ? missing(`wrk is not on PATH: ${SETUP_HINT} (Debian package wrk)`) : found("wrk", version);
}

async function findApache(): Promise<ToolStatus> {
  for (const path of ["/usr/sbin/apache2", "apache2"]) {
    const out = await outputOf(path, ["-v"]);
    const version = out === undefined ? undefined : /Apache\/(\S+)/.exec(out)?.[1];
    if (version !== undefined) return found(path, version);
  }
  return missing(`Apache is not installed: ${SETUP_HINT} (Debian package apache2)`);
}

async function debianVersion(pkg: string): Promise<string | null> {
  const out = await outputOf("dpkg-query", ["-W", "-f=${Version}", pkg]);
  return out !== undefined && /^\S+$/.test(out.trim()) ? out.trim() : null;
}

async function findModWsgi(): Promise<ToolStatus> {
  const path = join(APACHE_MODULES_DIR, "mod_wsgi.so");
  if (!(await exists(path))) return missing(`mod_wsgi is not installed: ${SETUP_HINT} (Debian package libapache2-mod-wsgi-py3)`);
  return found(path, await debianVersion("libapache2-mod-wsgi-py3"));
}

/** The Python mod_wsgi embeds is Debian's python3 (the bench also asks the running app). */
async function findPython(): Promise<ToolStatus> {
  const out = await outputOf("/usr/bin/python3", ["--version"]);
  const version = out === undefined ? undefined : /Python\s+(\S+)/.exec(out)?.[1];
  return version === undefined ? missing("/usr/bin/python3 is missing (it comes with libapache2-mod-wsgi-py3)") : found("/usr/bin/python3", version);
}

export const PM2_RUNTIME = join(BENCH_HOME, "pm2", "node_modules", "pm2", "bin", "pm2-runtime");

async function findPm2(): Promise<ToolStatus> {
  try {
    const manifest: unknown = JSON.parse(await readFile(join(BENCH_HOME, "pm2", "node_modules", "pm2", "package.json"), "utf8"));
    const version = typeof manifest === "object" && manifest !== null ? (manifest as { version?: unknown }).version : undefined;
    if (typeof version === "string" && (await exists(PM2_RUNTIME))) return found(PM2_RUNTIME, version);
  } catch {
    // not installed
  }
  return missing(`PM2 is not installed in ${join(BENCH_HOME, "pm2")}: ${SETUP_HINT}`);
}

export async function findTools(): Promise<Tools> {
  const [wrk, apache, modWsgi, python, pm2] = await Promise.all([findWrk(), findApache(), findModWsgi(), findPython(), findPm2()]);
  return { wrk, apache, modWsgi, python, pm2, node: found(process.execPath, process.version) };
}
