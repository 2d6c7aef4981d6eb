import { dirname, resolve } from "node:path";
import { flags, parseProcessGroupDocuments, RuntimeConfig, type ProcessGroup } from "../../../crds/index.ts";
import type { RuntimeSettings } from "./runtime-settings.ts";
import type { LocalOptions } from "./runtime-settings.ts";
import { settingsOf } from "./settings-of.ts";

export type GroupFromFile =
  | { readonly ok: true; readonly settings: RuntimeSettings; readonly processes: number }
  | { readonly ok: false; readonly errors: readonly string[] };

/** The spec fields the runtime acts on, as the operator passes them (RuntimeConfig), with root = the file's folder. */
function runtimeConfigOf(group: ProcessGroup, root: string): RuntimeConfig {
  const picked = Object.fromEntries(Object.keys(RuntimeConfig.shape).map((key) => [key, (group.spec as Record<string, unknown>)[key]]));
  return RuntimeConfig.parse({ ...picked, root });
}

/**
 * The settings of `processgroup serve`: one ProcessGroup of a YAML file (the only one, or the
 * one named), with entries resolved relative to the file's folder, as mod_wsgi-express does.
 */
export function groupFromFile(text: string, file: string, local: LocalOptions, name?: string): GroupFromFile {
  const documents = parseProcessGroupDocuments(text);
  const errors = documents.flatMap(({ index, result }) => (result.ok ? [] : result.problems.map((p) => `${file}: document ${index}: ${p.path}: ${p.message}`)));
  if (errors.length > 0) return { ok: false, errors };
  const groups = documents.flatMap(({ result }) => (result.ok ? [result.value] : []));
  const candidates = name === undefined ? groups : groups.filter((g) => g.metadata.name === name);
  const group = candidates[0];
  if (group === undefined) return { ok: false, errors: [`${file}: ${name === undefined ? "no ProcessGroup in the file" : `no ProcessGroup named ${name}`}`] };
  if (candidates.length > 1) return { ok: false, errors: [`${file}: ${candidates.length} ProcessGroups in the file; name one with --name (${groups.map((g) => g.metadata.name).join(", ")})`] };
  const f = flags(group.spec);
  const root = dirname(resolve(file));
  return {
    ok: true,
    processes: f.processes,
    settings: settingsOf(
      { processGroup: group.metadata.name, multiprocess: f.multiprocess, multithread: f.multithread },
      runtimeConfigOf(group, root),
      local,
      Object.fromEntries(group.spec.env.map((e) => [e.name, e.value])),
    ),
  };
}
