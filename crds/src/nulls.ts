import type { JsonSchema } from "./structural-schema.ts";

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function isSchema(value: unknown): value is JsonSchema {
  return isRecord(value);
}

/**
 * The API server prunes a null it finds for a field its schema knows (none of ours is
 * nullable) before it defaults and validates: `env:` with nothing under it means no env, not
 * an env of the wrong type. Documents read from files get the same treatment, so render and
 * `kubectl apply` accept and refuse the same ones. A null for a field the schema does not
 * know stays, for the schema to refuse as unknown (as the API server's strict decoding does);
 * so does a null list item (which the API server refuses too).
 */
export function withoutNulls(value: unknown, schema: JsonSchema): unknown {
  if (Array.isArray(value)) {
    const items = schema["items"];
    return isSchema(items) ? value.map((item) => withoutNulls(item, items)) : value;
  }
  if (!isRecord(value)) return value;
  const properties = isRecord(schema["properties"]) ? schema["properties"] : {};
  const additional = schema["additionalProperties"];
  const out: Record<string, unknown> = {};
  for (const [key, field] of Object.entries(value)) {
    const fieldSchema = properties[key] ?? additional;
    if (!isSchema(fieldSchema)) {
      out[key] = field;
      continue;
    }
    if (field === null && fieldSchema["nullable"] !== true) continue;
    out[key] = withoutNulls(field, fieldSchema);
  }
  return out;
}
