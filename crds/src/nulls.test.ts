import { describe, expect, it } from "vitest";
import { parseProcessGroupDocuments } from "./documents.ts";

const document = (spec: string, metadata = "  name: site1\n") => `apiVersion: processgroup.dev/v1alpha1
kind: ProcessGroup
metadata:
${metadata}spec:
  applications:
    - name: a
      mount: /
      entry: a.mjs
${spec}`;

function problemsOf(text: string): string[] {
  return parseProcessGroupDocuments(text).flatMap(({ result }) => (result.ok ? [] : result.problems.map((p) => `${p.path}: ${p.message}`)));
}

// What the API server answered for each of these documents (kubectl create --dry-run=server):
// a null for a field the schema knows is dropped before validation, anything else is judged.
describe("a null in a file means what it means to the API server", () => {
  it.each([
    ["a key with nothing under it", "  processes:\n  env:\n  #  - name: X\n"],
    ["an explicit null", "  threads: null\n  source: null\n  route: null\n"],
    ["a null inside an object", "  route:\n    host: example.com\n    ingressClassName: null\n  source:\n    type: null\n"],
    ["a null quantity in a resource map", "  resources:\n    limits:\n      cpu: null\n      memory: 64Mi\n    requests: null\n"],
    ["a null metadata field", "  preload:\n    - module: m.mjs\n      applicationGroup: null\n", "  name: site1\n  labels:\n"],
  ])("%s: dropped, and the defaults apply", (_what, spec, metadata?: string) => {
    const [parsed] = parseProcessGroupDocuments(document(spec, metadata));
    expect(parsed?.result.ok, problemsOf(document(spec, metadata)).join("\n")).toBe(true);
    if (!parsed?.result.ok) return;
    expect(parsed.result.value.spec.threads).toBe(15);
    expect(parsed.result.value.spec.processes).toBeUndefined();
    expect(parsed.result.value.spec.env).toEqual([]);
  });

  it("a null for a field the schema does not know is still an unknown field", () => {
    expect(problemsOf(document("  colour: null\n"))).toEqual(["spec.colour: unknown field (not in the ProcessGroup schema)"]);
  });

  it("a null list item and a null required field are still refused", () => {
    expect(problemsOf(document("    - null\n"))).toEqual(["spec.applications[1]: Invalid input: expected object, received null"]);
    expect(problemsOf(document("  route:\n    host: null\n"))).toEqual(["spec.route.host: is required"]);
  });
});
