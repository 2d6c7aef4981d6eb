import { AppsV1Api, CoreV1Api, CustomObjectsApi, type KubeConfig } from "@kubernetes/client-node";
import { ENV, parseWith, ProcessGroup } from "../../../crds/index.ts";
import { isNotFound } from "../../../operator/src/kube/api-errors.ts";
import { covers } from "../../../operator/src/reconcile/covers.ts";
import { render } from "../../../operator/src/render/render.ts";
import { defaultRenderOptions } from "../../../operator/src/render/options.ts";
import { envOf } from "../../integration/operator-support/process-groups.ts";
import { processGroupApi } from "../../support/process-group-crd.ts";
import { unlessTimedOut, until } from "../../support/until.ts";
import { REVISION_ENV, type ChangeDriver, type Desired } from "./operator-driver.ts";

// The end of every operator scenario: each group the driver left is what it last asked for,
// all the way down (its spec, its observed generation, its Deployment, its status), and each
// group it deleted has no children left.

export interface Convergence {
  /** Groups not (yet) as the driver left them, each with what differs. */
  readonly notConverged: ReadonlyMap<string, readonly string[]>;
  /** Changes whose generation the operator never reported as observed. */
  readonly lost: number;
  /** From the call to the moment everything matched (or the deadline). */
  readonly ms: number;
  /** What the last group to converge was waiting for, when one took more than a pass. */
  readonly slowest?: string;
}

const orUndefined = <T>(read: Promise<T>): Promise<T | undefined> => read.catch((error: unknown) => (isNotFound(error) ? undefined : Promise.reject(error)));

/** What differs between the cluster and what the driver asked of one group; the observed generation. */
async function differences(kc: KubeConfig, namespace: string, name: string, desired: Desired): Promise<{ problems: string[]; observedGeneration: number }> {
  const apps = kc.makeApiClient(AppsV1Api);
  const core = kc.makeApiClient(CoreV1Api);
  const deployment = await orUndefined(apps.readNamespacedDeployment({ name, namespace }));
  const service = await orUndefined(core.readNamespacedService({ name, namespace }));
  const object = await orUndefined(kc.makeApiClient(CustomObjectsApi).getNamespacedCustomObject({ ...processGroupApi, namespace, name }));
  if (desired.deleted) {
    const left = [...(object ? ["the ProcessGroup"] : []), ...(deployment ? ["its Deployment"] : []), ...(service ? ["its Service"] : [])];
    return { problems: left.map((what) => `deleted, but ${what} is still there`), observedGeneration: 0 };
  }
  const parsed = parseWith(ProcessGroup, object);
  if (!parsed.ok) return { problems: [`no valid ProcessGroup: ${JSON.stringify(parsed.problems)}`], observedGeneration: 0 };
  const group = parsed.value;
  const observedGeneration = group.status?.observedGeneration ?? 0;
  const problems: string[] = [];
  const processes = desired.processes ?? 1;
  if (group.spec.processes !== desired.processes || group.spec.threads !== desired.threads) problems.push(`spec ${JSON.stringify(group.spec)} is not what the driver asked`);
  if (observedGeneration !== group.metadata.generation) problems.push(`generation ${group.metadata.generation}, observed ${observedGeneration}`);
  if (!deployment) problems.push("no Deployment");
  else {
    const env = envOf(deployment);
    if (deployment.spec?.replicas !== processes) problems.push(`Deployment replicas ${deployment.spec?.replicas}, want ${processes}`);
    if (env[ENV.threads] !== String(desired.threads) || env[ENV.multiprocess] !== String(desired.processes !== undefined) || env[REVISION_ENV] !== String(desired.revision)) {
      problems.push(`Deployment env ${JSON.stringify(env)}, want threads ${desired.threads}, multiprocess ${desired.processes !== undefined}, revision ${desired.revision}`);
    }
    if (!covers(render(group, defaultRenderOptions).deployment, deployment)) problems.push("the Deployment does not hold what render makes of the spec");
  }
  if (!service) problems.push("no Service");
  if (group.status?.processes !== processes || group.status.threads !== desired.threads) problems.push(`status ${JSON.stringify({ processes: group.status?.processes, threads: group.status?.threads })}, want ${processes} processes, ${desired.threads} threads`);
  return { problems, observedGeneration };
}

/** Waits (up to `timeoutMs`) until every group is as the driver left it; never throws on a timeout. */
export async function awaitConvergence(kc: KubeConfig, namespace: string, driver: ChangeDriver, timeoutMs: number): Promise<Convergence> {
  const started = Date.now();
  let notConverged = new Map<string, readonly string[]>();
  const observed = new Map<string, number>();
  let slowest: string | undefined;
  await until("every group to converge", timeoutMs, async () => {
    const [waiting] = notConverged;
    if (waiting) slowest = `${waiting[0]} at ${((Date.now() - started) / 1000).toFixed(0)} s: ${waiting[1].join("; ")}`;
    notConverged = new Map();
    for (const [name, desired] of driver.desired) {
      const { problems, observedGeneration } = await differences(kc, namespace, name, desired);
      observed.set(name, observedGeneration);
      if (problems.length > 0) notConverged.set(name, problems);
    }
    return notConverged.size === 0 ? true : undefined;
  }).catch(unlessTimedOut(undefined));
  const lost = driver.changes.filter((c) => c.generation !== undefined && !driver.desired.get(c.name)?.deleted && c.generation > (observed.get(c.name) ?? 0)).length;
  return { notConverged, lost, ms: Date.now() - started, ...(slowest ? { slowest } : {}) };
}
