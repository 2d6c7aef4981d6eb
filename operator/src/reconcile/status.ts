import type { V1Deployment } from "@kubernetes/client-node";
import { ENV, RUNTIME_CONTAINER, type ConcurrencyFlags, type Condition, type ProcessGroupStatus } from "../../../crds/index.ts";
import { CONDITION, withTransitions, type ConditionInput } from "./conditions.ts";
import type { ElasticVerdict } from "../elastic/elastic-scaler.ts";
import type { Problem } from "./problems.ts";

// Status is rebuilt on every pass from what the cluster shows (the Deployment) and what
// this pass found wrong; the status written last time only lends its transition times.

export interface Observation {
  readonly name: string;
  readonly generation: number | undefined;
  /** The spec's flags; undefined when the spec does not parse. */
  readonly specFlags: ConcurrencyFlags | undefined;
  /** An elastic group's decision of this pass. */
  readonly elastic?: ElasticVerdict | undefined;
  readonly selector: string;
  /** The group's Deployment as the server holds it (after this pass's apply), if any. */
  readonly deployment: V1Deployment | undefined;
  readonly problems: readonly Problem[];
  readonly previous: ProcessGroupStatus | undefined;
  /** RFC 3339, for conditions that change status now. */
  readonly now: string;
}

interface Rollout {
  readonly desired: number;
  readonly ready: number;
  readonly done: boolean;
  readonly message: string;
}

function rolloutOf(deployment: V1Deployment): Rollout {
  const desired = deployment.spec?.replicas ?? 1;
  const status = deployment.status ?? {};
  const ready = status.readyReplicas ?? 0;
  const updated = status.updatedReplicas ?? 0;
  const total = status.replicas ?? 0;
  const generation = deployment.metadata?.generation ?? 0;
  if ((status.observedGeneration ?? 0) < generation) {
    return { desired, ready, done: false, message: `the Deployment controller has not yet acted on generation ${generation} of the Deployment` };
  }
  if (updated < desired) return { desired, ready, done: false, message: `${updated} of ${desired} processes run the current pod template` };
  if (total > updated) return { desired, ready, done: false, message: `${total - updated} old processes are still shutting down` };
  if (ready < desired) return { desired, ready, done: false, message: `${ready} of ${desired} processes are ready` };
  return { desired, ready, done: true, message: `all ${desired} processes are up to date and ready` };
}

/** The Deployment controller's own verdicts that mean the group cannot get where it should. */
function deploymentProblems(deployment: V1Deployment | undefined): Problem[] {
  return (deployment?.status?.conditions ?? []).flatMap((c): Problem[] => {
    if (c.type === "Progressing" && c.status === "False" && c.reason === "ProgressDeadlineExceeded") {
      return [{ reason: "ProgressDeadlineExceeded", message: c.message ?? "the rollout did not progress in time", blocking: false }];
    }
    if (c.type === "ReplicaFailure" && c.status === "True") {
      return [{ reason: "ReplicaFailure", message: c.message ?? "the Deployment cannot create processes", blocking: false }];
    }
    return [];
  });
}

/** The flags the running processes were given, read back from the Deployment's container env. */
export function deployedFlags(deployment: V1Deployment | undefined): Omit<ConcurrencyFlags, "processes"> | undefined {
  const container = deployment?.spec?.template?.spec?.containers?.find((c) => c.name === RUNTIME_CONTAINER);
  const env = new Map((container?.env ?? []).map((e) => [e.name, e.value]));
  const threads = Number(env.get(ENV.threads));
  const multiprocess = env.get(ENV.multiprocess);
  const multithread = env.get(ENV.multithread);
  if (!Number.isInteger(threads) || multiprocess === undefined || multithread === undefined) return undefined;
  return { threads, multiprocess: multiprocess === "true", multithread: multithread === "true" };
}

function conditionsOf(o: Observation): ConditionInput[] {
  const problems = [...o.problems, ...deploymentProblems(o.deployment)];
  const first = problems[0];
  const degraded: ConditionInput = first
    ? { type: CONDITION.degraded, status: "True", reason: first.reason, message: problems.map((p) => p.message).join("; ") }
    : { type: CONDITION.degraded, status: "False", reason: "AsExpected", message: "nothing stands in the group's way" };

  const blocked = o.problems.some((p) => p.blocking);
  if (!o.deployment) {
    const reason = blocked ? "Blocked" : "NoDeployment";
    const message = blocked ? "no Deployment: waiting for the problems under Degraded to be fixed" : "the Deployment does not exist yet";
    return [
      { type: CONDITION.ready, status: "False", reason, message },
      { type: CONDITION.progressing, status: "False", reason, message },
      degraded,
    ];
  }
  const rollout = rolloutOf(o.deployment);
  const ready: ConditionInput = rollout.done
    ? { type: CONDITION.ready, status: "True", reason: "ProcessesReady", message: rollout.message }
    : { type: CONDITION.ready, status: "False", reason: "ProcessesNotReady", message: `${rollout.ready} of ${rollout.desired} processes are ready` };
  const progressing: ConditionInput = rollout.done
    ? { type: CONDITION.progressing, status: "False", reason: "Complete", message: rollout.message }
    : { type: CONDITION.progressing, status: "True", reason: "RollingOut", message: rollout.message };
  if (blocked) {
    const note = "; the spec is not applied until the problems under Degraded are fixed, so this describes the last good version";
    return [{ ...ready, message: ready.message + note }, progressing, degraded];
  }
  return [ready, progressing, degraded];
}

/**
 * Why an elastic group has the processes it has; False while no ready process could be read.
 * The message is the measurement behind the last change of processes or reason: a loaded
 * group's numbers move on every look (every few seconds), and writing them each time would
 * be a status write per group per look, for what says nothing new.
 */
function scalingCondition(verdict: ElasticVerdict, previous: readonly Condition[] | undefined): ConditionInput {
  const status = verdict.reason === "NoMetrics" ? "False" : "True";
  const before = previous?.find((c) => c.type === CONDITION.scalingActive);
  const unchanged = verdict.desired === verdict.current && before?.reason === verdict.reason && before.status === status;
  const unread = verdict.unknown.length > 0 ? `; not read: ${verdict.unknown.join(", ")}` : "";
  return { type: CONDITION.scalingActive, status, reason: verdict.reason, message: unchanged && before?.message ? before.message : verdict.message + unread };
}

function elasticStatusOf(o: Observation): Pick<ProcessGroupStatus, "desiredProcesses" | "lastScaleTime"> {
  if (!o.elastic) return {};
  const scaledNow = o.elastic.desired !== o.elastic.current;
  const lastScaleTime = scaledNow ? o.now : o.previous?.lastScaleTime;
  return { desiredProcesses: o.elastic.desired, ...(lastScaleTime !== undefined ? { lastScaleTime } : {}) };
}

export function statusOf(o: Observation): ProcessGroupStatus {
  const flags = deployedFlags(o.deployment) ?? o.specFlags;
  const inputs = [...conditionsOf(o), ...(o.elastic ? [scalingCondition(o.elastic, o.previous?.conditions)] : [])];
  const conditions: Condition[] = withTransitions(inputs, o.previous?.conditions, o.now, o.generation);
  return {
    ...(o.generation !== undefined ? { observedGeneration: o.generation } : {}),
    processes: o.deployment?.spec?.replicas ?? 0,
    ...elasticStatusOf(o),
    readyProcesses: o.deployment?.status?.readyReplicas ?? 0,
    ...(flags ? { threads: flags.threads, multiprocess: flags.multiprocess, multithread: flags.multithread } : {}),
    selector: o.selector,
    conditions,
  };
}
