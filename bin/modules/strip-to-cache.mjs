// The short-lived process of module-cache.mjs: strips the TypeScript files named on stdin
// (a JSON array) into the cache folder named by argv, and exits, taking its stripper with it.
// It also clears out what the cache no longer serves, so that the folder does not grow with
// every edit and every Node upgrade.
import { readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { stripTypeScriptTypes } from "node:module";
import { join } from "node:path";
import { cacheKey, writeEntry } from "./module-cache.mjs";

/** An entry not read for this long is dropped (by atime: with relatime, updated once a day). */
const UNUSED_MS = 30 * 24 * 3600 * 1000;
/** A partial write older than this belongs to a process that died writing it. */
const ABANDONED_MS = 3600 * 1000;

const dir = process.argv[2];
const files = JSON.parse(readFileSync(0, "utf8"));
for (const file of files) {
  let source;
  let code;
  try {
    source = readFileSync(file, "utf8");
    // "strip" keeps every line and column, so stack traces point at the .ts file as written.
    code = stripTypeScriptTypes(source, { mode: "strip" });
  } catch {
    continue;
  }
  writeEntry(dir, cacheKey(source), code);
}

const now = Date.now();
for (const name of readdirSync(dir)) {
  const path = join(dir, name);
  try {
    const { atimeMs, mtimeMs } = statSync(path);
    if (name.endsWith(".partial") ? now - mtimeMs > ABANDONED_MS : name.endsWith(".js") && now - atimeMs > UNUSED_MS) rmSync(path, { force: true });
  } catch {
    // Another process removed or replaced it meanwhile.
  }
}
