import { parseAllDocuments } from "yaml";
import { ProcessGroup } from "./process-group.ts";
import { parseWith, type FieldProblem, type Parsed } from "./problems.ts";

export interface ParsedDocument {
  /** 1-based position of the document in the file. */
  readonly index: number;
  readonly result: Parsed<ProcessGroup>;
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
      return { index, result: parseWith(ProcessGroup, doc.toJS()) };
    });
}
