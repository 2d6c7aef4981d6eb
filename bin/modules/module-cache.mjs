// The stripped-module cache: TypeScript modules as JavaScript, on disk, keyed by what they hold.
// Node strips types with a WebAssembly stripper of about 16 MB that every process (and every
// worker thread) which loads a .ts file loads for itself. With the cache, the processes of
// the CLI (the `serve` supervisor and its processes, `run` in a pod, the operator) load none:
// what is missing is stripped once, by a short-lived process, and a load hook serves the
// rest. Plain JavaScript, because it runs before anything can be stripped.
import { join } from "node:path";
import { fileURLToPath } from "node:url";

// Node's modules as CommonJS: an ES import of node:crypto or node:fs reads every export, and
// some are lazy getters (crypto's webcrypto, fs's streams) that load more for nothing. Every
// process of the CLI and every worker thread of a `serve` process (which inherits its
// `--import register.mjs`) runs this module. node:crypto and node:child_process are fetched
// when first used: a worker thread gets its own modules stripped in workerData and never calls
// this hook for them; loaded here, they were 38 more of Node's modules in every thread (179
// against 141), 0.4 MB more of its old space.
const crypto = () => process.getBuiltinModule("node:crypto");
const childProcess = () => process.getBuiltinModule("node:child_process");
const { accessSync, constants, mkdirSync, readdirSync, readFileSync, renameSync, statSync, writeFileSync } = process.getBuiltinModule("node:fs");
const { registerHooks } = process.getBuiltinModule("node:module");
const { tmpdir } = process.getBuiltinModule("node:os");

/** A folder of one's own, or `off`, instead of the default. */
export const MODULE_CACHE_ENV = "PROCESSGROUP_MODULE_CACHE";

const PROJECT_ROOT = fileURLToPath(new URL("../../", import.meta.url));
const STRIPPER = fileURLToPath(new URL("./strip-to-cache.mjs", import.meta.url));
/** The project's own modules: ESM, as package.json says, so the hook may call them modules. */
const OWN_MODULE = /\.m?ts$/;
const OWN_FOLDERS = ["bin", "crds", "operator", "runtime"];

/** The stripper's output changes with Node, so a cache entry names the Node that wrote it. */
export function cacheKey(source) {
  return crypto().hash("sha256", `${process.version}\0${source}`);
}

/** A folder this process may fill and can trust: its own, and writable by no one else. */
function usable(dir) {
  try {
    mkdirSync(dir, { recursive: true, mode: 0o755 });
    accessSync(dir, constants.R_OK | constants.W_OK);
    const stats = statSync(dir);
    // A folder someone else can write could hand this process code to run.
    const own = process.getuid === undefined || stats.uid === process.getuid();
    return stats.isDirectory() && own && (stats.mode & 0o022) === 0 ? dir : undefined;
  } catch {
    return undefined;
  }
}

let chosen;
/**
 * Where the cache lives: PROCESSGROUP_MODULE_CACHE, else node_modules/.cache of the project,
 * else a folder of this user's under the temporary folder (a pod's read-only image with an
 * emptyDir on /tmp); undefined when none can be written and read, or when it is `off`.
 */
export function cacheDirectory() {
  if (chosen !== undefined) return chosen || undefined;
  const asked = process.env[MODULE_CACHE_ENV];
  if (asked === "off") chosen = "";
  else if (asked) chosen = usable(asked) ?? "";
  // The user by process.getuid(), not os.userInfo(): a container's user often has no passwd
  // entry, and userInfo() throws for it.
  else chosen = usable(join(PROJECT_ROOT, "node_modules", ".cache", "processgroup", "modules")) ?? usable(join(tmpdir(), `processgroup-modules-${process.getuid?.() ?? "user"}`)) ?? "";
  return chosen || undefined;
}

/** The cached JavaScript of a TypeScript module's source, if it has been stripped. */
export function cachedJavaScript(source, dir = cacheDirectory()) {
  if (dir === undefined) return undefined;
  try {
    return readFileSync(join(dir, `${cacheKey(source)}.js`), "utf8");
  } catch {
    return undefined;
  }
}

/**
 * Strips the files whose JavaScript is not cached yet, in one short-lived process, so that
 * this one never loads a stripper. A file that cannot be read or parsed stays uncached: Node's
 * own loader reports it as it always has. Returns how many files were missing.
 */
export function fillCache(files, dir = cacheDirectory()) {
  if (dir === undefined || usable(dir) === undefined) return 0;
  const missing = files.filter((file) => {
    try {
      statSync(join(dir, `${cacheKey(readFileSync(file, "utf8"))}.js`));
      return false;
    } catch (error) {
      return error?.code === "ENOENT";
    }
  });
  if (missing.length === 0) return 0;
  const result = childProcess().spawnSync(process.execPath, ["--disable-warning=ExperimentalWarning", STRIPPER, dir], { input: JSON.stringify(missing), stdio: ["pipe", "ignore", "inherit"], timeout: 60_000 });
  return result.status === 0 ? missing.length : 0;
}

/** Writes `text` as the cache entry `key`, whole or not at all (processes fill the cache at once). */
export function writeEntry(dir, key, text) {
  const file = join(dir, `${key}.js`);
  const partial = `${file}.${process.pid}.partial`;
  writeFileSync(partial, text);
  renameSync(partial, file);
}

function isOwn(file) {
  return file.startsWith(PROJECT_ROOT) && OWN_MODULE.test(file) && !file.includes("/node_modules/");
}

/** The TypeScript modules of the folders this installation has (an image holds some of them). */
export function ownModules() {
  return OWN_FOLDERS.flatMap((folder) => {
    try {
      return readdirSync(join(PROJECT_ROOT, folder), { recursive: true })
        .map((name) => join(PROJECT_ROOT, folder, name))
        .filter((file) => isOwn(file) && !file.endsWith(".test.ts"));
    } catch {
      return [];
    }
  });
}

/** What every process of the CLI does first: the cache filled with its modules, and served. */
export function prepareModuleCache() {
  try {
    fillCache(ownModules());
    registerModuleCache();
  } catch (error) {
    // Without the cache every module still loads, as Node strips it: a warning, not a failure.
    process.emitWarning(`processgroup: the stripped-module cache is off (${error?.message ?? error})`);
  }
}

/** Serves the cached JavaScript of the project's own TypeScript modules; the rest loads as usual. */
export function registerModuleCache() {
  if (cacheDirectory() === undefined) return;
  registerHooks({
    load(url, context, nextLoad) {
      const file = url.startsWith("file:") ? fileURLToPath(url) : "";
      if (!isOwn(file)) return nextLoad(url, context);
      let source;
      try {
        source = readFileSync(file, "utf8");
      } catch {
        return nextLoad(url, context);
      }
      const code = cachedJavaScript(source);
      return code === undefined ? nextLoad(url, context) : { format: "module", source: code, shortCircuit: true };
    },
  });
}
