import { readFile } from "node:fs/promises";
import { stringify } from "yaml";
import { parseProcessGroupDocuments, type ProcessGroup } from "../../../crds/index.ts";
import { renderedObjects, render } from "../render/render.ts";
import type { RenderOptions } from "../render/options.ts";

export type RenderFileResult = { readonly ok: true; readonly yaml: string } | { readonly ok: false; readonly errors: readonly string[] };

/** Renders every ProcessGroup document of a YAML text, or says what is wrong with each bad one. */
export function renderText(text: string, file: string, options: RenderOptions): RenderFileResult {
  const documents = parseProcessGroupDocuments(text);
  if (documents.length === 0) return { ok: false, errors: [`${file}: no ProcessGroup in the file`] };
  const errors = documents.flatMap(({ index, result }) =>
    result.ok ? [] : result.problems.map((p) => `${file}: document ${index}: ${p.path}: ${p.message}`),
  );
  if (errors.length > 0) return { ok: false, errors };
  const groups = documents.flatMap(({ result }) => (result.ok ? [result.value] : []));
  return { ok: true, yaml: groups.map((pg: ProcessGroup) => renderedObjects(render(pg, options)).map((o) => `---\n${stringify(o, { lineWidth: 0, aliasDuplicateObjects: false })}`).join("")).join("") };
}

export async function renderFile(file: string, options: RenderOptions): Promise<RenderFileResult> {
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (error) {
    return { ok: false, errors: [`${file}: cannot read the file (${(error as NodeJS.ErrnoException).code ?? String(error)})`] };
  }
  return renderText(text, file, options);
}
