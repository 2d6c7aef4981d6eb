import type { Goal } from "./result.ts";

/** The goals, with the N the memory goal is stated at. */
export const GOALS = {
  latencyRatioP50: 1.5,
  steadyWritesPerMinute: 0,
  rssMb: 150,
  rssStatedAtN: 1000,
} as const;

export interface GoalInputs {
  readonly n: number;
  /** Our p50 over kube-controller-manager's Deployment -> ReplicaSet p50. */
  readonly ratioP50: number;
  /** Lease renewals excluded. */
  readonly writesPerMinute: number;
  /** The operator's VmRSS at N, converged (the larger of at-convergence and steady-window max). */
  readonly rssMb: number;
}

export function evaluateGoals(inputs: GoalInputs): Goal[] {
  const rssNote =
    inputs.n < GOALS.rssStatedAtN
      ? `measured at N=${inputs.n}; the goal is stated for N=${GOALS.rssStatedAtN}, which only --full measures`
      : undefined;
  return [
    {
      name: "p50 latency vs kube-controller-manager",
      target: `<= ${GOALS.latencyRatioP50}x`,
      actual: inputs.ratioP50,
      unit: "x",
      met: inputs.ratioP50 <= GOALS.latencyRatioP50,
    },
    {
      name: "writes per minute, nothing changing",
      target: `${GOALS.steadyWritesPerMinute}`,
      actual: inputs.writesPerMinute,
      unit: "/min",
      met: inputs.writesPerMinute <= GOALS.steadyWritesPerMinute,
      note: "Lease renewals of leader election excluded (reported separately)",
    },
    {
      name: "operator RSS at N",
      target: `<= ${GOALS.rssMb} MB at N=${GOALS.rssStatedAtN}`,
      actual: inputs.rssMb,
      unit: "MB",
      met: inputs.rssMb <= GOALS.rssMb,
      ...(rssNote === undefined ? {} : { note: rssNote }),
    },
  ];
}
