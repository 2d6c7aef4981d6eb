import { stringify } from "yaml";
import { applicationGroupOf, flags, parseProcessGroupDocuments, type ProcessGroup } from "../../../crds/index.ts";
import { parseQuantity } from "../reconcile/quantity.ts";
import { renderedObjects, render } from "../render/render.ts";
import type { RenderOptions } from "../render/options.ts";

export type RenderFileResult =
  | { readonly ok: true; readonly yaml: string; readonly warnings: readonly string[] }
  | { readonly ok: false; readonly errors: readonly string[] };

const MIB = 2 ** 20;

function bytesOf(quantity: string | number): number | undefined {
  const q = parseQuantity(quantity);
  return q === undefined ? undefined : Number(q.digits) * 10 ** q.exp10 * 2 ** q.exp2;
}

/**
 * Every thread of every application group may grow to threadMemoryLimitMegabytes; when they
 * all can outgrow the pod's memory limit, the kernel kills the whole pod before any thread
 * reaches its own limit and is replaced alone.
 */
export function memoryWarning(pg: ProcessGroup): string | undefined {
  const perThread = pg.spec.threadMemoryLimitMegabytes;
  const limit = pg.spec.resources?.limits?.["memory"];
  if (perThread === undefined || limit === undefined) return undefined;
  const limitBytes = bytesOf(limit);
  if (limitBytes === undefined) return undefined;
  const { threads } = flags(pg.spec);
  const groups = new Set((pg.spec.applications ?? []).map(applicationGroupOf)).size;
  const total = perThread * threads * groups;
  if (total * MIB <= limitBytes) return undefined;
  return (
    `ProcessGroup ${pg.metadata.name}: threadMemoryLimitMegabytes ${perThread} x ${threads} threads x ${groups} application group${groups === 1 ? "" : "s"} = ${total} MiB ` +
    `exceeds resources.limits.memory ${String(limit)} (${Math.round(limitBytes / MIB)} MiB): the pod can be OOM-killed before a thread reaches its own limit`
  );
}

/** Renders every ProcessGroup document of a YAML text, or says what is wrong with each bad one. */
export function renderText(text: string, file: string, options: RenderOptions): RenderFileResult {
  const documents = parseProcessGroupDocuments(text);
  if (documents.length === 0) return { ok: false, errors: [`${file}: no ProcessGroup in the file`] };
  const errors = documents.flatMap(({ index, result }) =>
    result.ok ? [] : result.problems.map((p) => `${file}: document ${index}: ${p.path}: ${p.message}`),
  );
  if (errors.length > 0) return { ok: false, errors };
  const groups = documents.flatMap(({ result }) => (result.ok ? [result.value] : []));
  return {
    ok: true,
    yaml: groups.map((pg: ProcessGroup) => renderedObjects(render(pg, options)).map((o) => `---\n${stringify(o, { lineWidth: 0, aliasDuplicateObjects: false })}`).join("")).join(""),
    warnings: groups.flatMap((pg) => {
      const warning = memoryWarning(pg);
      return warning === undefined ? [] : [`${file}: warning: ${warning}`];
    }),
  };
}

/** Renders several files' texts as one stream; any file's problems fail the whole render. */
export function renderSources(sources: readonly { readonly file: string; readonly text: string }[], options: RenderOptions): RenderFileResult {
  const results = sources.map((s) => renderText(s.text, s.file, options));
  const errors = results.flatMap((r) => (r.ok ? [] : r.errors));
  if (errors.length > 0) return { ok: false, errors };
  return { ok: true, yaml: results.map((r) => (r.ok ? r.yaml : "")).join(""), warnings: results.flatMap((r) => (r.ok ? r.warnings : [])) };
}
