import type { Condition, ConditionStatus } from "../../../crds/index.ts";

export const CONDITION = { ready: "Ready", progressing: "Progressing", degraded: "Degraded", scalingActive: "ScalingActive" } as const;

export type ConditionInput = Omit<Condition, "lastTransitionTime" | "observedGeneration">;

/** metav1.Time as the API server writes it: RFC 3339 in whole seconds. */
export function timestamp(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d+Z$/, "Z");
}

/**
 * Gives each condition its lastTransitionTime: the previous one while the status stays the
 * same (reason and message may change without a transition), `now` when it flips.
 */
export function withTransitions(
  next: readonly ConditionInput[],
  previous: readonly Condition[] | undefined,
  now: string,
  observedGeneration: number | undefined,
): Condition[] {
  return next.map((condition) => {
    const before = previous?.find((p) => p.type === condition.type);
    return {
      ...condition,
      ...(observedGeneration !== undefined ? { observedGeneration } : {}),
      lastTransitionTime: before && before.status === condition.status ? before.lastTransitionTime : now,
    };
  });
}

export function findCondition(conditions: readonly Condition[] | undefined, type: string): Condition | undefined {
  return conditions?.find((c) => c.type === type);
}

export function isStatus(conditions: readonly Condition[] | undefined, type: string, status: ConditionStatus): boolean {
  return findCondition(conditions, type)?.status === status;
}
