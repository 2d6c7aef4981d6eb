import { describe, expect, test } from "vitest";
import type { Condition } from "../../../crds/index.ts";
import { actionNote, degradedNotes } from "./notes.ts";

const degraded = (status: "True" | "False", reason = "ImageMissing", message = "no image"): Condition[] => [
  { type: "Degraded", status, reason, message, lastTransitionTime: "2026-01-01T00:00:00Z" },
];

describe("events", () => {
  test("a Warning when the group becomes degraded or its problem changes; none while it stays the same", () => {
    expect(degradedNotes(undefined, degraded("True"))).toEqual([{ type: "Warning", reason: "ImageMissing", message: "no image" }]);
    expect(degradedNotes(degraded("False", "AsExpected"), degraded("True"))).toHaveLength(1);
    expect(degradedNotes(degraded("True"), degraded("True"))).toEqual([]);
    expect(degradedNotes(degraded("True"), degraded("True", "ConfigMapMissing", "no cm"))).toEqual([{ type: "Warning", reason: "ConfigMapMissing", message: "no cm" }]);
  });

  test("a Normal Recovered when it stops being degraded; nothing for a healthy group", () => {
    expect(degradedNotes(degraded("True"), degraded("False", "AsExpected"))).toEqual([
      { type: "Normal", reason: "Recovered", message: "No longer degraded (was ImageMissing: no image)" },
    ]);
    expect(degradedNotes(undefined, degraded("False", "AsExpected"))).toEqual([]);
  });

  test("create, scale, update, drift and delete each say what happened", () => {
    expect(actionNote({ action: "created", kind: "Deployment", name: "g" })).toMatchObject({ type: "Normal", reason: "Created" });
    expect(actionNote({ action: "scaled", kind: "Deployment", name: "g", from: 2, to: 3, drift: false })).toMatchObject({ reason: "Scaled", message: "Scaled Deployment g from 2 to 3 processes" });
    expect(actionNote({ action: "scaled", kind: "Deployment", name: "g", from: 7, to: 2, drift: true })).toMatchObject({ reason: "DriftCorrected" });
    expect(actionNote({ action: "updated", kind: "Deployment", name: "g", rolled: true, drift: false }).message).toContain("rolling the processes");
    expect(actionNote({ action: "updated", kind: "Service", name: "g", rolled: false, drift: true })).toMatchObject({ reason: "DriftCorrected" });
    expect(actionNote({ action: "deleted", kind: "Ingress", name: "g" })).toMatchObject({ reason: "Deleted" });
  });
});
