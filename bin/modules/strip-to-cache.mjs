// The short-lived process of module-cache.mjs: strips the TypeScript files named on stdin
// (a JSON array) into the cache folder named by argv, and exits, taking its stripper with it.
import { readFileSync } from "node:fs";
import { stripTypeScriptTypes } from "node:module";
import { cacheKey, writeEntry } from "./module-cache.mjs";

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
