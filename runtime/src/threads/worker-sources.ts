import { readFileSync } from "node:fs";
import { stripTypeScriptTypes } from "node:module";
import { dirname, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

/** Module URL -> the module as JavaScript, for the worker's load hook (boot.mjs). */
export type WorkerSources = Readonly<Record<string, string>>;

/** The runtime's own modules never change while a process runs: stripped once per process. */
const RUNTIME_ROOT = resolve(fileURLToPath(new URL("../../../", import.meta.url)));
const stripped = new Map<string, string>();

const RELATIVE_IMPORT = /(?:\bfrom\s*|\bimport\s*\(?\s*)["'](\.{1,2}\/[^"']+)["']/g;
const OWN_MODULE = /^(?:runtime|crds)\//;

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

function isOwn(file: string): boolean {
  return file.startsWith(RUNTIME_ROOT) && OWN_MODULE.test(file.slice(RUNTIME_ROOT.length + 1));
}

/**
 * The TypeScript modules a worker thread will import, from `roots` (its entry, the apps'
 * entries, the preloads) along relative static and dynamic imports, already stripped of
 * their types. Each worker isolate that strips TypeScript itself loads a stripper of its own,
 * about 5 MB a thread; the main thread has one already. Apps' files are read anew each time,
 * so a reload sees the new code. What cannot be read or parsed is left to the worker's own
 * loader, which reports it as it always has.
 */
export function workerSources(roots: readonly string[]): WorkerSources {
  const sources: Record<string, string> = {};
  const seen = new Set<string>();
  const pending = [...roots];
  for (let file = pending.pop(); file !== undefined; file = pending.pop()) {
    if (seen.has(file)) continue;
    seen.add(file);
    const typescript = /\.[mc]?ts$/.test(file);
    if (!typescript && !/\.m?js$/.test(file)) continue;
    let code = typescript && isOwn(file) ? stripped.get(file) : undefined;
    if (code === undefined) {
      try {
        const text = readFileSync(file, "utf8");
        code = typescript ? strip(text, file) : text;
      } catch {
        continue;
      }
      if (typescript && isOwn(file)) stripped.set(file, code);
    }
    if (typescript) sources[pathToFileURL(file).href] = code;
    for (const [, specifier] of code.matchAll(RELATIVE_IMPORT)) pending.push(resolve(dirname(file), specifier!));
  }
  return sources;
}
