import type { z } from "zod";

// A rule the OpenAPI schema cannot express. One definition yields both the CEL rule the API
// server enforces (x-kubernetes-validations) and the check zod runs on files and API
// objects, so `kubectl apply` and `processgroup render` refuse the same specs with the same
// words.
export interface Rule<T> {
  /** CEL, evaluated by the API server with `self` bound to the value. */
  readonly cel: string;
  readonly message: string;
  /** Where the problem is reported, relative to the value (".applications"). */
  readonly fieldPath?: string;
  /** The same rule for zod: returns the path (relative) of each offending value. */
  readonly violations: (value: T) => readonly (readonly (string | number)[])[];
}

export interface CelValidation {
  rule: string;
  message: string;
  fieldPath?: string;
}

export function celValidations<T>(rules: readonly Rule<T>[]): CelValidation[] {
  return rules.map(({ cel, message, fieldPath }) => ({ rule: cel, message, ...(fieldPath ? { fieldPath } : {}) }));
}

/** Attaches the rules to a zod object schema, as CEL metadata and as a refinement. */
export function withRules<S extends z.ZodType>(schema: S, rules: readonly Rule<z.output<S>>[]): S {
  const checked = schema.superRefine((value, ctx) => {
    for (const rule of rules) {
      for (const path of rule.violations(value)) ctx.addIssue({ code: "custom", message: rule.message, path: [...path] });
    }
  }) as S;
  return checked.meta({ "x-kubernetes-validations": celValidations(rules) }) as S;
}
