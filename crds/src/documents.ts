import { parseAllDocuments } from "yaml";
import { processGroupCrd } from "./crd.ts";
import { withoutNulls } from "./nulls.ts";
import { ProcessGroup } from "./process-group.ts";
import { parseWith, type FieldProblem, type Parsed } from "./problems.ts";
import type { JsonSchema } from "./structural-schema.ts";

export interface ParsedDocument {
  /** 1-based position of the document in the file. */
  readonly index: number;
  readonly result: Parsed<ProcessGroup>;
}

let documentSchema: JsonSchema | undefined;

/** The schema the API server decodes a ProcessGroup with, built once on first use. */
function schemaOfDocuments(): JsonSchema {
  if (documentSchema) return documentSchema;
  const root = processGroupCrd().spec.versions[0]?.schema.openAPIV3Schema;
  // metadata is decoded as an ObjectMeta, where a null is the zero value of any of its fields.
  const metadata = { type: "object", additionalProperties: { type: "object" } };
  documentSchema = { ...root, properties: { ...root?.properties, metadata } };
  return documentSchema;
}

/** Every YAML document of a file as a ProcessGroup, or the problems that stop it being one. */
export function parseProcessGroupDocuments(text: string): ParsedDocument[] {
  const docs = parseAllDocuments(text, { prettyErrors: true, uniqueKeys: true });
  if (!Array.isArray(docs)) return [];
  return docs
    .filter((doc) => !(doc.contents === null && doc.errors.length === 0))
    .map((doc, i) => {
      const index = i + 1;
      if (doc.errors.length > 0) {
        const problems: FieldProblem[] = doc.errors.map((e) => ({ path: "(yaml)", message: e.message.split("\n")[0] ?? e.message }));
        return { index, result: { ok: false, problems } };
      }
      return { index, result: parseWith(ProcessGroup, withoutNulls(doc.toJS(), schemaOfDocuments())) };
    });
}
