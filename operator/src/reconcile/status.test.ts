import type { V1Deployment } from "@kubernetes/client-node";
import { describe, expect, test } from "vitest";
import { ENV, flags } from "../../../crds/index.ts";
import { CONDITION, findCondition } from "./conditions.ts";
import type { ElasticVerdict } from "../elastic/elastic-scaler.ts";
import { deployedFlags, statusOf, type Observation } from "./status.ts";

const T0 = "2026-01-01T00:00:00Z";
const T1 = "2026-01-01T00:01:00Z";

function deployment(replicas: number, status: V1Deployment["status"], env: Record<string, string> = { [ENV.threads]: "4", [ENV.multiprocess]: "true", [ENV.multithread]: "true" }): V1Deployment {
  return {
    metadata: { generation: 2 },
    spec: { replicas, selector: {}, template: { spec: { containers: [{ name: "runtime", env: Object.entries(env).map(([name, value]) => ({ name, value })) }] } } },
    status,
  };
}

const base: Observation = {
  name: "g",
  generation: 3,
  specFlags: flags({ processes: 2, threads: 4 }),
  selector: "processgroup.dev/name=g",
  deployment: undefined,
  problems: [],
  previous: undefined,
  now: T0,
};

const verdict = (over: Partial<ElasticVerdict> = {}): ElasticVerdict => ({
  desired: 3,
  current: 1,
  reason: "QueueNotEmpty",
  message: "1 -> 3 processes: 15 of 15 threads busy (100%, target 70%), 12 requests queued",
  history: [],
  read: 1,
  unknown: [],
  ...over,
});

describe("statusOf an elastic group", () => {
  const ready = deployment(3, { observedGeneration: 2, replicas: 3, updatedReplicas: 3, readyReplicas: 1 });

  test("shows the desired processes, when they last changed, and why (ScalingActive)", () => {
    const status = statusOf({ ...base, deployment: ready, elastic: verdict() });
    expect(status).toMatchObject({ processes: 3, desiredProcesses: 3, readyProcesses: 1, lastScaleTime: T0 });
    expect(findCondition(status.conditions, CONDITION.scalingActive)).toMatchObject({ status: "True", reason: "QueueNotEmpty", message: verdict().message });
  });

  test("a decision that keeps the processes keeps the last scale time", () => {
    const previous = statusOf({ ...base, deployment: ready, elastic: verdict() });
    const status = statusOf({ ...base, now: T1, previous, deployment: ready, elastic: verdict({ current: 3, reason: "Stabilizing", message: "keeping 3 processes" }) });
    expect(status.lastScaleTime).toBe(T0);
    const condition = findCondition(status.conditions, CONDITION.scalingActive);
    expect(condition).toMatchObject({ status: "True", reason: "Stabilizing", lastTransitionTime: T0 });
  });

  test("a look that changes neither the processes nor the reason leaves the status as it was (no write for moving numbers)", () => {
    const previous = statusOf({ ...base, deployment: ready, elastic: verdict({ current: 3, reason: "WithinTarget", message: "3 processes: 6 of 15 threads busy (40%, target 70%)" }) });
    const later = statusOf({ ...base, now: T1, previous, deployment: ready, elastic: verdict({ current: 3, reason: "WithinTarget", message: "3 processes: 8 of 15 threads busy (53%, target 70%)" }) });
    expect(later).toEqual(previous);
    const scaled = statusOf({ ...base, now: T1, previous, deployment: ready, elastic: verdict({ current: 3, desired: 4, reason: "AboveTarget", message: "3 -> 4 processes: 12 of 15 threads busy" }) });
    expect(findCondition(scaled.conditions, CONDITION.scalingActive)?.message).toBe("3 -> 4 processes: 12 of 15 threads busy");
  });

  test("no process read: ScalingActive False (NoMetrics), naming the pods and why", () => {
    const status = statusOf({ ...base, deployment: ready, elastic: verdict({ desired: 1, reason: "NoMetrics", message: "none of the 1 ready processes answered /metrics", read: 0, unknown: ["g-abc: /metrics answered 503"] }) });
    expect(findCondition(status.conditions, CONDITION.scalingActive)).toMatchObject({ status: "False", reason: "NoMetrics" });
    expect(findCondition(status.conditions, CONDITION.scalingActive)?.message).toContain("not read: g-abc: /metrics answered 503");
  });

  test("a group that is not elastic has neither the fields nor the condition", () => {
    const status = statusOf({ ...base, deployment: ready });
    expect(status.desiredProcesses).toBeUndefined();
    expect(findCondition(status.conditions, CONDITION.scalingActive)).toBeUndefined();
  });
});

describe("statusOf", () => {
  test("a finished rollout is Ready, not Progressing, not Degraded, with the flags the processes were given", () => {
    const status = statusOf({ ...base, deployment: deployment(2, { observedGeneration: 2, replicas: 2, updatedReplicas: 2, readyReplicas: 2 }) });
    expect(status).toMatchObject({ observedGeneration: 3, processes: 2, readyProcesses: 2, threads: 4, multiprocess: true, multithread: true, selector: "processgroup.dev/name=g" });
    expect(status.conditions?.map((c) => [c.type, c.status, c.reason])).toEqual([
      ["Ready", "True", "ProcessesReady"],
      ["Progressing", "False", "Complete"],
      ["Degraded", "False", "AsExpected"],
    ]);
    expect(status.conditions?.every((c) => c.observedGeneration === 3 && c.lastTransitionTime === T0)).toBe(true);
  });

  test.each([
    ["the controller has not seen the new generation", { observedGeneration: 1, replicas: 2, updatedReplicas: 2, readyReplicas: 2 }, "generation 2"],
    ["new pods are not all there", { observedGeneration: 2, replicas: 2, updatedReplicas: 1, readyReplicas: 2 }, "1 of 2 processes run the current pod template"],
    ["old pods are still leaving", { observedGeneration: 2, replicas: 3, updatedReplicas: 2, readyReplicas: 2 }, "1 old processes"],
    ["pods are not ready", { observedGeneration: 2, replicas: 2, updatedReplicas: 2, readyReplicas: 1 }, "1 of 2 processes are ready"],
  ])("while %s it is Progressing and not Ready", (_what, deploymentStatus, message) => {
    const status = statusOf({ ...base, deployment: deployment(2, deploymentStatus) });
    expect(findCondition(status.conditions, CONDITION.progressing)).toMatchObject({ status: "True", reason: "RollingOut" });
    expect(findCondition(status.conditions, CONDITION.progressing)?.message).toContain(message);
    expect(findCondition(status.conditions, CONDITION.ready)?.status).toBe("False");
  });

  test("a blocking problem without a Deployment: Degraded with every problem's message, Ready and Progressing False (Blocked)", () => {
    const status = statusOf({
      ...base,
      problems: [
        { reason: "ImageMissing", message: "no image", blocking: true },
        { reason: "MountConflict", message: "/blog taken", blocking: false },
      ],
    });
    expect(findCondition(status.conditions, CONDITION.degraded)).toMatchObject({ status: "True", reason: "ImageMissing", message: "no image; /blog taken" });
    expect(findCondition(status.conditions, CONDITION.ready)).toMatchObject({ status: "False", reason: "Blocked" });
    expect(status).toMatchObject({ processes: 0, readyProcesses: 0, threads: 4, multiprocess: true });
  });

  test("the Deployment controller's own failures are Degraded too", () => {
    const status = statusOf({
      ...base,
      deployment: deployment(2, { observedGeneration: 2, conditions: [{ type: "Progressing", status: "False", reason: "ProgressDeadlineExceeded", message: "took too long" }] }),
    });
    expect(findCondition(status.conditions, CONDITION.degraded)).toMatchObject({ status: "True", reason: "ProgressDeadlineExceeded", message: "took too long" });
  });

  test("lastTransitionTime moves only when a condition's status flips", () => {
    const first = statusOf({ ...base, deployment: deployment(2, { observedGeneration: 2, replicas: 2, updatedReplicas: 2, readyReplicas: 1 }) });
    const same = statusOf({ ...base, now: T1, previous: first, deployment: deployment(2, { observedGeneration: 2, replicas: 2, updatedReplicas: 2, readyReplicas: 1 }) });
    expect(same).toEqual(first);
    const flipped = statusOf({ ...base, now: T1, previous: first, deployment: deployment(2, { observedGeneration: 2, replicas: 2, updatedReplicas: 2, readyReplicas: 2 }) });
    expect(findCondition(flipped.conditions, CONDITION.ready)?.lastTransitionTime).toBe(T1);
    expect(findCondition(flipped.conditions, CONDITION.degraded)?.lastTransitionTime).toBe(T0);
  });

  test("flags come from what the Deployment gives the processes, else from the spec, else are left out", () => {
    expect(deployedFlags(deployment(1, {}, { [ENV.threads]: "1", [ENV.multiprocess]: "false", [ENV.multithread]: "false" }))).toEqual({ threads: 1, multiprocess: false, multithread: false });
    expect(deployedFlags(deployment(1, {}, {}))).toBeUndefined();
    expect(statusOf({ ...base, specFlags: undefined })).not.toHaveProperty("threads");
  });
});
