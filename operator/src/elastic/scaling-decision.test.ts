import { describe, expect, it } from "vitest";
import { decideScale, type ElasticLimits, type PodSample, type Recommendation, type ScalingInput } from "./scaling-decision.ts";

const limits: ElasticLimits = { minProcesses: 1, maxProcesses: 5, targetBusyPercent: 70, scaleDownStabilizationSeconds: 300 };
const T0 = 1_700_000_000_000;
const pod = (busyThreads: number, queueLength = 0, threads = 15): PodSample => ({ kind: "known", busyThreads, threads, queueLength });
const unknown: PodSample = { kind: "unknown" };
const at = (seconds: number, processes: number): Recommendation => ({ at: T0 + seconds * 1000, processes });

interface Row {
  readonly what: string;
  readonly input: Partial<ScalingInput> & Pick<ScalingInput, "samples" | "current">;
  readonly desired: number;
  readonly reason: string;
  readonly limitedBy?: string;
  readonly message?: string;
}

const rows: Row[] = [
  { what: "idle at the minimum stays", input: { samples: [pod(0)], current: 1 }, desired: 1, reason: "BelowTarget", limitedBy: "minProcesses", message: "keeping 1 process" },
  { what: "under the target stays", input: { samples: [pod(10)], current: 1 }, desired: 1, reason: "WithinTarget" },
  { what: "one thread over 70% of 15 grows by one", input: { samples: [pod(11)], current: 1 }, desired: 2, reason: "AboveTarget" },
  { what: "a queue grows at once, even under the target ratio", input: { samples: [pod(1, 1)], current: 1 }, desired: 2, reason: "QueueNotEmpty" },
  { what: "a saturated pod with a long queue grows to what the demand needs", input: { samples: [pod(15, 15)], current: 1 }, desired: 3, reason: "QueueNotEmpty" },
  { what: "a queue while processes are still starting waits for them", input: { samples: [pod(15, 2)], current: 3 }, desired: 3, reason: "QueueNotEmpty" },
  { what: "a queue longer than the starting processes take grows further", input: { samples: [pod(15, 40)], current: 3 }, desired: 5, reason: "QueueNotEmpty", limitedBy: "maxProcesses" },
  { what: "growth stops at maxProcesses", input: { samples: [pod(15, 100), pod(15, 100)], current: 2 }, desired: 5, reason: "QueueNotEmpty", limitedBy: "maxProcesses" },
  { what: "at maxProcesses with a queue stays at max", input: { samples: Array.from({ length: 5 }, () => pod(15, 3)), current: 5 }, desired: 5, reason: "QueueNotEmpty", limitedBy: "maxProcesses" },
  {
    what: "low load scales down only once the window holds no higher recommendation",
    input: { samples: [pod(0), pod(1), pod(0)], current: 3, history: [at(-400, 3), at(-200, 1), at(-100, 1)] },
    desired: 1,
    reason: "BelowTarget",
  },
  {
    what: "low load inside the window holds the highest recommendation",
    input: { samples: [pod(0), pod(0), pod(0)], current: 3, history: [at(-200, 3), at(-100, 2)] },
    desired: 3,
    reason: "Stabilizing",
    message: "300s stabilization window",
  },
  {
    what: "the window steps down through the recommendations it still holds",
    input: { samples: [pod(0), pod(0), pod(0)], current: 3, history: [at(-310, 3), at(-200, 2), at(-100, 1)] },
    desired: 2,
    reason: "Stabilizing",
  },
  { what: "an empty history (new leader) waits a whole window before shrinking", input: { samples: [pod(0), pod(0)], current: 2, history: [] }, desired: 2, reason: "Stabilizing" },
  {
    what: "a zero window scales down at once",
    input: { samples: [pod(0), pod(0)], current: 2, history: [], limits: { ...limits, scaleDownStabilizationSeconds: 0 } },
    desired: 1,
    reason: "BelowTarget",
    limitedBy: "minProcesses",
  },
  { what: "no pod answered: hold, never read as idle", input: { samples: [unknown, unknown], current: 2, history: [at(-400, 1)] }, desired: 2, reason: "NoMetrics" },
  { what: "no ready pod: hold", input: { samples: [], current: 2, history: [at(-400, 1)] }, desired: 2, reason: "NoMetrics" },
  {
    what: "an unread pod counts as busy for shrinking",
    input: { samples: [pod(0), pod(0), unknown], current: 3, history: [at(-400, 1)] },
    desired: 2,
    reason: "BelowTarget",
    message: "1 process not read",
  },
  { what: "an unread pod counts as idle for growing", input: { samples: [pod(15), unknown, unknown], current: 3 }, desired: 3, reason: "WithinTarget" },
  { what: "a raised minimum grows at once", input: { samples: [pod(0)], current: 1, limits: { ...limits, minProcesses: 3 } }, desired: 3, reason: "OutsideLimits", limitedBy: "minProcesses" },
  {
    what: "a lowered maximum shrinks at once",
    input: { samples: [pod(15), pod(15), pod(15), pod(15)], current: 4, limits: { ...limits, maxProcesses: 2 } },
    desired: 2,
    reason: "OutsideLimits",
    limitedBy: "maxProcesses",
  },
  { what: "a higher target needs fewer processes", input: { samples: [pod(14)], current: 1, limits: { ...limits, targetBusyPercent: 100 } }, desired: 1, reason: "WithinTarget" },
  { what: "one thread per process (prefork): a busy one asks for a spare", input: { samples: [pod(1, 0, 1)], current: 1 }, desired: 2, reason: "AboveTarget" },
];

describe("decideScale", () => {
  it.each(rows)("$what", ({ input, desired, reason, limitedBy, message }) => {
    const decision = decideScale({ limits, history: [], now: T0, ...input });
    expect({ desired: decision.desired, reason: decision.reason, limitedBy: decision.limitedBy }).toEqual({ desired, reason, limitedBy });
    if (message) expect(decision.message).toContain(message);
  });

  it("forgets recommendations older than the window and adds its own", () => {
    const decision = decideScale({ limits, samples: [pod(0)], current: 2, history: [at(-301, 4), at(-10, 2)], now: T0 });
    expect(decision.history).toEqual([at(-10, 2), at(0, 1)]);
  });

  it("says what it measured and what it does", () => {
    const decision = decideScale({ limits, samples: [pod(15, 4)], current: 1, history: [], now: T0 });
    expect(decision.message).toBe("1 -> 2 processes: 15 of 15 threads busy (100%, target 70%), 4 requests queued");
  });

  it("follows a burst up at once and back down only after the window, on a moving clock", () => {
    // A load that saturates one pod for a minute, then stops; a decision every 5 s.
    let history: readonly Recommendation[] = [];
    let current = 1;
    const trace: number[] = [];
    for (let s = 0; s <= 600; s += 5) {
      const loaded = s >= 10 && s < 70;
      const samples = Array.from({ length: current }, () => (loaded ? pod(Math.min(15, Math.ceil(20 / current)), Math.max(0, 20 - 15 * current)) : pod(0)));
      const decision = decideScale({ limits, samples, current, history, now: T0 + s * 1000 });
      history = decision.history;
      current = decision.desired;
      trace.push(current);
    }
    const after = (s: number) => trace[s / 5];
    expect(after(5)).toBe(1);
    // Up in the first decision that sees the load (at 10 s): 20 requests need 2 processes at 70% of 15 threads.
    expect(after(10)).toBe(2);
    expect(Math.max(...trace)).toBeLessThanOrEqual(limits.maxProcesses);
    // Still up 4 minutes after the load stopped (70 s), back at the minimum after 300 s.
    expect(after(70 + 240)).toBe(2);
    expect(after(70 + 305)).toBe(1);
  });
});
