import { CustomObjectsApi, KubernetesObjectApi, type KubeConfig, type KubernetesObject, type V1Deployment } from "@kubernetes/client-node";
import { stringify } from "yaml";
import { renderText } from "../../../operator/src/cli/render-file.ts";
import { defaultRenderOptions } from "../../../operator/src/render/options.ts";
import { refusalOrUndefined } from "../../integration/support/api-error.ts";
import { processGroupApi } from "../../support/process-group-crd.ts";
import { chaosMode } from "./figures.ts";

/** What one enforcement said of a document: accepted, or refused naming these field paths. */
export interface Verdict {
  readonly accepted: boolean;
  readonly paths: readonly string[];
  /** The words, for a failure's report. */
  readonly said: string;
}

/** A document as a user writes it in a file. */
export function yamlOf(body: object): string {
  return stringify(body, { lineWidth: 0, aliasDuplicateObjects: false });
}

/** The file `processgroup render` reads, one document per body. */
export function yamlFileOf(bodies: readonly object[]): string {
  return bodies.map((body) => `---\n${yamlOf(body)}`).join("");
}

// `FILE: document N: PATH: message`, as processgroup render prints each problem.
const problemLine = /: document (\d+): (\S+): /;

/** The field paths render names, by document number. */
export function renderedProblems(errors: readonly string[]): Map<number, string[]> {
  const byDocument = new Map<number, string[]>();
  for (const line of errors) {
    const match = problemLine.exec(line);
    if (!match?.[1] || !match[2]) continue;
    const index = Number(match[1]);
    byDocument.set(index, [...(byDocument.get(index) ?? []), match[2]]);
  }
  return byDocument;
}

/** `processgroup render`'s pure core on the document as a file; the YAML it prints when it accepts. */
export function renderVerdict(body: object): Verdict & { readonly yaml?: string } {
  const result = renderText(yamlOf(body), "spec.yaml", defaultRenderOptions);
  if (result.ok) return { accepted: true, paths: [], said: "accepted", yaml: result.yaml };
  return { accepted: false, paths: renderedProblems(result.errors).get(1) ?? [], said: result.errors.join("\n") };
}

/** The API server's verdict on creating the document (dry run, strict field validation, as kubectl apply). */
export async function serverVerdict(kc: KubeConfig, namespace: string, body: object): Promise<Verdict> {
  const api = kc.makeApiClient(CustomObjectsApi);
  const refused = await refusalOrUndefined(api.createNamespacedCustomObject({ ...processGroupApi, namespace, body, dryRun: "All", fieldValidation: "Strict" }));
  if (!refused) return { accepted: true, paths: [], said: "accepted" };
  // A CEL rule that cannot read a field of the wrong type names it with a leading dot.
  const causes = (refused.details?.causes ?? []).flatMap((c) => (c.field && c.field !== "<nil>" ? [c.field.replace(/^\./, "")] : []));
  // Strict decoding names unknown fields only in its message.
  const unknown = [...refused.message.matchAll(/unknown field "([^"]+)"/g)].flatMap((m) => (m[1] ? [m[1]] : []));
  return { accepted: false, paths: [...causes, ...unknown], said: `${refused.code}: ${refused.message}` };
}

/**
 * The API server's verdict on the objects render makes of a document, and on a pod of its
 * Deployment's template (pods are validated more strictly than templates), all dry runs in
 * `namespace`: the first refused, with its kind.
 */
export async function childrenVerdict(kc: KubeConfig, namespace: string, objects: readonly KubernetesObject[]): Promise<Verdict & { readonly refused?: string }> {
  const client = KubernetesObjectApi.makeApiClient(kc);
  const pods = objects.flatMap((o) => {
    const template = (o as V1Deployment).spec?.template;
    // A dry run creates no ServiceAccount, so the probe pod runs as the namespace's default one.
    return o.kind === "Deployment" && template ? [{ apiVersion: "v1", kind: "Pod", metadata: { name: `${o.metadata?.name ?? "pod"}-probe` }, spec: { ...template.spec, serviceAccountName: undefined } }] : [];
  });
  for (const object of [...objects, ...pods]) {
    const refused = await refusalOrUndefined(client.create({ ...object, metadata: { ...object.metadata, namespace } }, undefined, "All"));
    if (refused) return { accepted: false, refused: object.kind, paths: (refused.details?.causes ?? []).flatMap((c) => (c.field ? [`${object.kind} ${c.field}`] : [])), said: refused.message };
  }
  return { accepted: true, paths: [], said: "accepted" };
}

/** True when `path` is `field` or lies inside it (`spec.env` holds `spec.env[1].name`). */
export function isWithin(path: string, field: string): boolean {
  return path === field || path.startsWith(`${field}.`) || path.startsWith(`${field}[`);
}

/** Runs of a property: `quick` in CI, ten times as many in the long form. */
export function runsOf(quick: number): number {
  return chaosMode() === "long" ? quick * 10 : quick;
}
