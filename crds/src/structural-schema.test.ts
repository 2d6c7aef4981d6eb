import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { CRD_FILE, crdYaml } from "./crd-yaml.ts";
import { processGroupCrd } from "./crd.ts";

type Node = Record<string, unknown>;

// Kubernetes' structural-schema rules (apiextensions-apiserver), the ones zod output can break.
function structuralViolations(node: Node, path: string): string[] {
  const out: string[] = [];
  for (const key of ["$ref", "definitions", "$defs", "oneOf", "anyOf", "allOf", "not", "patternProperties"]) {
    const intOrString = key === "anyOf" && node["x-kubernetes-int-or-string"] === true && JSON.stringify(node[key]) === '[{"type":"integer"},{"type":"string"}]';
    if (key in node && !intOrString) out.push(`${path}: has ${key}`);
  }
  if (node["additionalProperties"] === false) out.push(`${path}: additionalProperties: false`);
  if (node["type"] === undefined && !node["x-kubernetes-int-or-string"] && !node["x-kubernetes-preserve-unknown-fields"]) out.push(`${path}: no type`);
  if (node["type"] === "null" || node["nullable"] === true) out.push(`${path}: null type`);
  if (node["type"] === "integer" && node["format"] !== "int32" && node["format"] !== "int64") out.push(`${path}: integer without int32/int64 format`);
  if (node["type"] === "object" && node["properties"] === undefined && node["additionalProperties"] === undefined && path !== ".metadata") {
    out.push(`${path}: object without properties`);
  }
  if (path !== "" && path !== ".metadata" && !node["description"] && !path.endsWith("[]") && !path.endsWith("{}")) out.push(`${path}: no description`);
  for (const [k, v] of Object.entries((node["properties"] as Record<string, Node> | undefined) ?? {})) out.push(...structuralViolations(v, `${path}.${k}`));
  if (node["items"]) out.push(...structuralViolations(node["items"] as Node, `${path}[]`));
  if (node["additionalProperties"] && typeof node["additionalProperties"] === "object") {
    out.push(...structuralViolations(node["additionalProperties"] as Node, `${path}{}`));
  }
  return out;
}

describe("the generated CRD", () => {
  it("is the checked-in file (run `npm run crd` when this fails)", () => {
    const checkedIn = readFileSync(new URL(`../${CRD_FILE}`, import.meta.url), "utf8");
    expect(checkedIn).toBe(crdYaml());
  });

  it("is a structural schema with a description on every field", () => {
    const schema = processGroupCrd().spec.versions[0]?.schema.openAPIV3Schema as Node;
    expect(structuralViolations(schema, "")).toEqual([]);
  });

  it("declares the status and scale subresources, the short name and the printer columns", () => {
    const crd = parse(crdYaml());
    const version = crd.spec.versions[0];
    expect(crd.spec.names.shortNames).toEqual(["pgrp"]);
    expect(version.subresources.scale.specReplicasPath).toBe(".spec.processes");
    expect(version.subresources.scale.labelSelectorPath).toBe(".status.selector");
    expect(version.subresources.status).toEqual({});
    expect(version.additionalPrinterColumns.map((c: { name: string }) => c.name)).toEqual([
      "Processes",
      "Desired",
      "Ready",
      "Threads",
      "Multiprocess",
      "Multithread",
      "Age",
    ]);
  });

  it("carries the cross-field rules as CEL with messages", () => {
    const spec = processGroupCrd().spec.versions[0]?.schema.openAPIV3Schema.properties.spec as Node;
    const rules = spec["x-kubernetes-validations"] as { rule: string; message: string }[];
    expect(rules.map((r) => r.message).join("\n")).toMatch(/mounts must be unique/);
    expect(rules.some((r) => r.rule.includes("has(self.processes)"))).toBe(true);
  });
});
