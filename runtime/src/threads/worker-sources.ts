import { readFileSync } from "node:fs";
import { stripTypeScriptTypes } from "node:module";
import { dirname, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { cachedJavaScript, fillCache } from "../../../bin/modules/module-cache.mjs";

/** Module URL -> the module as JavaScript, for the worker's load hook (boot.mjs). */
export type WorkerSources = Readonly<Record<string, string>>;

/** The runtime's own modules never change while a process runs: stripped once per process. */
const RUNTIME_ROOT = resolve(fileURLToPath(new URL("../../../", import.meta.url)));
const stripped = new Map<string, string>();

const RELATIVE_IMPORT = /(?:\bfrom\s*|\bimport\s*\(?\s*)["'](\.{1,2}\/[^"']+)["']/g;
const OWN_MODULE = /^(?:runtime|crds)\//;
const TYPESCRIPT = /\.[mc]?ts$/;
const MODULE = /\.(?:[mc]?ts|m?js)$/;

/** Without the warning Node prints for its experimental stripping API on every process. */
function strip(source: string, file: string): string {
  const emitWarning = process.emitWarning;
  process.emitWarning = ((warning: string | Error, ...rest: never[]) => {
    if (!String(warning).includes("stripTypeScriptTypes")) emitWarning.call(process, warning, ...rest);
  }) as typeof process.emitWarning;
  try {
    // "strip" keeps every line and column, so stack traces point at the .ts file as written.
    return stripTypeScriptTypes(source, { mode: "strip", sourceUrl: file });
  } finally {
    process.emitWarning = emitWarning;
  }
}

/** A module as JavaScript: stripped by the cache, or here when the cache cannot be used. */
function javaScriptOf(file: string): string | undefined {
  const own = isOwn(file);
  const known = own ? stripped.get(file) : undefined;
  if (known !== undefined) return known;
  let code: string;
  try {
    const text = readFileSync(file, "utf8");
    code = TYPESCRIPT.test(file) ? (cachedJavaScript(text) ?? strip(text, file)) : text;
  } catch {
    return undefined;
  }
  if (own) stripped.set(file, code);
  return code;
}

function isOwn(file: string): boolean {
  return file.startsWith(RUNTIME_ROOT) && OWN_MODULE.test(file.slice(RUNTIME_ROOT.length + 1));
}

/**
 * The TypeScript modules a worker thread will import, from `roots` (its entry, the apps'
 * entries, the preloads) along relative static and dynamic imports, already stripped of
 * their types. Each isolate that strips TypeScript itself loads a stripper of its own, so the
 * stripping is the module cache's (bin/modules), and this thread strips only what the cache
 * cannot hold. Apps' files are read anew each time,
 * so a reload sees the new code. What cannot be read or parsed is left to the worker's own
 * loader, which reports it as it always has.
 */
export function workerSources(roots: readonly string[]): WorkerSources {
  const sources: Record<string, string> = {};
  const seen = new Set<string>();
  // In rounds, so that what the cache lacks is stripped by one short-lived process a round.
  for (let round = roots.filter((f) => MODULE.test(f)); round.length > 0; ) {
    for (const file of round) seen.add(file);
    fillCache(round.filter((file) => TYPESCRIPT.test(file) && !stripped.has(file)));
    const next: string[] = [];
    for (const file of round) {
      const code = javaScriptOf(file);
      if (code === undefined) continue;
      if (TYPESCRIPT.test(file)) sources[pathToFileURL(file).href] = code;
      for (const [, specifier] of code.matchAll(RELATIVE_IMPORT)) next.push(resolve(dirname(file), specifier!));
    }
    round = [...new Set(next)].filter((f) => MODULE.test(f) && !seen.has(f));
  }
  return sources;
}
