import type { z } from "zod";

/** One thing wrong with an input, named by its field path and the rule it breaks. */
export interface FieldProblem {
  readonly path: string;
  readonly message: string;
}

export type Parsed<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly problems: readonly FieldProblem[] };

/** `["spec", "applications", 1, "mount"]` -> `spec.applications[1].mount` */
export function formatPath(path: readonly PropertyKey[]): string {
  return path.reduce<string>((out, key) => (typeof key === "number" ? `${out}[${key}]` : out ? `${out}.${String(key)}` : String(key)), "");
}

function join(prefix: string, path: string): string {
  if (!prefix) return path || "(document)";
  return path ? (path.startsWith("[") ? `${prefix}${path}` : `${prefix}.${path}`) : prefix;
}

export function problemsOf(error: z.ZodError, prefix = ""): FieldProblem[] {
  return error.issues.flatMap((issue): FieldProblem[] => {
    const at = join(prefix, formatPath(issue.path));
    if (issue.code === "unrecognized_keys") {
      return issue.keys.map((key) => ({ path: join(at, key), message: "unknown field (not in the ProcessGroup schema)" }));
    }
    // Parsed with reportInput, so a missing field is told apart from a wrong one.
    if (issue.code === "invalid_type" && issue.input === undefined) return [{ path: at, message: "is required" }];
    return [{ path: at, message: issue.message }];
  });
}

export function parseWith<S extends z.ZodType>(schema: S, value: unknown, prefix = ""): Parsed<z.output<S>> {
  const result = schema.safeParse(value, { reportInput: true });
  return result.success ? { ok: true, value: result.data } : { ok: false, problems: problemsOf(result.error, prefix) };
}

export function describeProblems(problems: readonly FieldProblem[]): string {
  return problems.map((p) => `${p.path}: ${p.message}`).join("\n");
}
