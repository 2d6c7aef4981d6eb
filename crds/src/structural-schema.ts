import { z } from "zod";

// zod's OpenAPI 3.0 output is close to a Kubernetes structural schema; these are the few
// places it is not (docs/architecture.md, "From zod to a structural schema"). The checker in structural-schema.test.ts proves the result.

export type JsonSchema = { [key: string]: unknown };

const JS_SAFE_INTEGER = 9_007_199_254_740_991;

function isIntOrString(node: JsonSchema): boolean {
  const branches = node["anyOf"];
  if (!Array.isArray(branches) || branches.length !== 2) return false;
  const types = branches.map((b: JsonSchema) => b["type"]).sort();
  return types[0] === "integer" && types[1] === "string";
}

function toStructural(node: JsonSchema, int64: boolean): JsonSchema {
  if (isIntOrString(node)) {
    // The one anyOf a structural schema allows (as controller-gen writes resource.Quantity):
    // bare integer and string branches, the string's pattern lifted to the node.
    const { anyOf, ...rest } = node;
    const pattern = (anyOf as JsonSchema[]).find((b) => b["type"] === "string")?.["pattern"];
    return { ...rest, anyOf: [{ type: "integer" }, { type: "string" }], ...(pattern ? { pattern } : {}), "x-kubernetes-int-or-string": true };
  }
  const out: JsonSchema = {};
  for (const [key, value] of Object.entries(node)) {
    if (key === "$schema" || key === "id") continue;
    if (key === "additionalProperties" && value === false) continue;
    if ((key === "maximum" && value === JS_SAFE_INTEGER) || (key === "minimum" && value === -JS_SAFE_INTEGER)) continue;
    if (key === "$ref" || key === "definitions" || key === "$defs" || key === "oneOf" || key === "allOf" || key === "anyOf" || key === "patternProperties") {
      throw new Error(`not a structural schema: '${key}' at ${JSON.stringify(node).slice(0, 120)}`);
    }
    if (key === "properties" && value && typeof value === "object") {
      out[key] = Object.fromEntries(Object.entries(value).map(([k, v]) => [k, toStructural(v as JsonSchema, int64 || k === "observedGeneration")]));
    } else if ((key === "items" || key === "additionalProperties") && value && typeof value === "object") {
      out[key] = toStructural(value as JsonSchema, int64);
    } else {
      out[key] = value;
    }
  }
  if (out["type"] === "integer") out["format"] = int64 ? "int64" : "int32";
  return out;
}

/** A zod schema as a Kubernetes structural OpenAPI v3 schema (throws where it cannot be). */
export function structuralSchemaOf(schema: z.ZodType): JsonSchema {
  const json = z.toJSONSchema(schema, { target: "openapi-3.0", io: "input", cycles: "throw", reused: "inline" }) as JsonSchema;
  return toStructural(json, false);
}
