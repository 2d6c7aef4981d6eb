import type { Condition } from "../../../crds/index.ts";
import type { EventNote } from "../events/event-recorder.ts";
import type { ChildAction } from "./apply-children.ts";
import { CONDITION, findCondition } from "./conditions.ts";

/** The event that tells people what an apply did. */
export function actionNote(action: ChildAction): EventNote {
  const what = `${action.kind} ${action.name}`;
  switch (action.action) {
    case "created":
      return { type: "Normal", reason: "Created", message: `Created ${what}` };
    case "deleted":
      return { type: "Normal", reason: "Deleted", message: `Deleted ${what}: the spec no longer asks for it` };
    case "scaled":
      return action.drift
        ? { type: "Normal", reason: "DriftCorrected", message: `Scaled ${what} back from ${action.from} to ${action.to} processes: its replicas had been changed outside the ProcessGroup` }
        : { type: "Normal", reason: "Scaled", message: `Scaled ${what} from ${action.from} to ${action.to} processes` };
    case "updated":
      if (action.drift) return { type: "Normal", reason: "DriftCorrected", message: `Put back ${what}: fields the operator owns had been changed outside the ProcessGroup` };
      return { type: "Normal", reason: "Updated", message: `Updated ${what}${action.rolled ? ": new pod template, rolling the processes" : ""}` };
  }
}

/** Degrade and recover events, only when the Degraded condition changes (so an idle operator writes none). */
export function degradedNotes(previous: readonly Condition[] | undefined, next: readonly Condition[]): EventNote[] {
  const before = findCondition(previous, CONDITION.degraded);
  const after = findCondition(next, CONDITION.degraded);
  if (after?.status === "True") {
    const same = before?.status === "True" && before.reason === after.reason && before.message === after.message;
    return same ? [] : [{ type: "Warning", reason: after.reason, message: after.message }];
  }
  if (before?.status === "True" && after?.status === "False") {
    return [{ type: "Normal", reason: "Recovered", message: `No longer degraded (was ${before.reason}: ${before.message})` }];
  }
  return [];
}
