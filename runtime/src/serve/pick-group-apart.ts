import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import type { GroupFromFile } from "../settings/settings-from-file.ts";
import type { GroupQuery } from "./pick-group.ts";

const ENTRY = fileURLToPath(new URL("./pick-group-process.ts", import.meta.url));
const MODULE_CACHE_HOOK = new URL("../../../bin/modules/register.mjs", import.meta.url).href;

/**
 * pickGroup() in a process of its own. The supervisor runs as long as `serve` does, and the YAML
 * parser and the schema (zod) it would otherwise load only to read its files once cost it about
 * 20 MB for as long; the processes it starts get their settings already parsed.
 */
export function pickGroupApart(query: GroupQuery): GroupFromFile {
  const result = spawnSync(process.execPath, ["--import", MODULE_CACHE_HOOK, ENTRY], { input: JSON.stringify(query), encoding: "utf8", maxBuffer: 64 * 1024 * 1024, stdio: ["pipe", "pipe", "inherit"] });
  if (result.status !== 0 || result.error) return { ok: false, errors: [`cannot read the files: ${result.error?.message ?? `the parser exited with ${result.status ?? result.signal}`}`] };
  return JSON.parse(result.stdout) as GroupFromFile;
}
