import type { V1Deployment, V1Pod } from "@kubernetes/client-node";
import { GROUP_VERSION, KIND, ProcessGroup, flags, parseWith, type ConcurrencyFlags, type ProcessGroupStatus } from "../../../crds/index.ts";
import type { Clock } from "../clock.ts";
import type { ElasticScaler, ElasticVerdict } from "../elastic/elastic-scaler.ts";
import type { EventNote, EventSubject } from "../events/event-recorder.ts";
import { isNotFound, isRejected, messageOf } from "../kube/api-errors.ts";
import { NAME_LABEL, selectorString } from "../render/labels.ts";
import { render } from "../render/render.ts";
import { stableJson } from "./applied-hash.ts";
import { ensureChild, pruneChild, type ChildAction } from "./apply-children.ts";
import type { CachedConfigMap } from "./cached-objects.ts";
import type { Children, ObjectCache } from "./children.ts";
import { CONDITION, timestamp } from "./conditions.ts";
import { imagePullProblems } from "./pod-problems.ts";
import { contestedMounts, mountConflictProblem, routeClaimOf, type RouteClaim } from "./mount-conflicts.ts";
import { actionNote, degradedNotes } from "./notes.ts";
import { REASON, invalidSpecProblem, specProblems, type Problem } from "./problems.ts";
import { envelopeOf, type Envelope, type ProcessGroupStore } from "./process-groups.ts";
import { statusOf } from "./status.ts";

const OWN_CONDITIONS: ReadonlySet<string> = new Set(Object.values(CONDITION));

export interface ReconcileDeps {
  readonly processGroups: ProcessGroupStore;
  /** As cached: that each exists, and the checksum of its content. */
  readonly configMaps: ObjectCache<CachedConfigMap>;
  /** The groups' pods (by our name label), for what only the kubelet knows: an image it cannot pull. */
  readonly pods: ObjectCache<V1Pod>;
  readonly children: Children;
  readonly events: { record(subject: EventSubject, note: EventNote): Promise<void> };
  readonly runtimeImage: string;
  readonly clock: Clock;
  /** Decides elastic groups' processes; without it they run spec.processes (their minimum). */
  readonly elastic?: ElasticScaler | undefined;
}

export interface Outcome {
  /** success: as desired; degraded: a problem the owner must fix was reported. */
  readonly result: "success" | "degraded";
  /** Writes this pass made (applies, deletes, the status), for the log. */
  readonly changes: readonly string[];
  /** Look again this soon even if nothing changes (an elastic group's load). */
  readonly requeueAfterMs?: number;
}

interface Applied {
  readonly deployment: V1Deployment | undefined;
  readonly actions: readonly ChildAction[];
  readonly problems: readonly Problem[];
  /** An elastic group's decision, when this pass made one. */
  readonly elastic?: ElasticVerdict | undefined;
}

/**
 * One level-triggered pass over one ProcessGroup: read it, work out the objects it wants,
 * make the server hold them, report what the cluster shows. Running it again with nothing
 * changed sends no write. Errors it cannot sort out (the API server is away, a conflict)
 * are thrown for the queue to retry with backoff.
 */
export async function reconcile(deps: ReconcileDeps, namespace: string, name: string): Promise<Outcome> {
  const object = deps.processGroups.cached(namespace, name);
  const envelope = envelopeOf(object);
  // Gone or going: garbage collection removes the children through their owner references.
  if (!envelope || envelope.metadata.deletionTimestamp !== undefined) return { result: "success", changes: [] };

  const parsed = parseWith(ProcessGroup, object);
  const pods = deps.pods.list(namespace).filter((pod) => pod.metadata?.labels?.[NAME_LABEL] === name);
  let specFlags: ConcurrencyFlags | undefined;
  let applied: Applied;
  if (parsed.ok) {
    specFlags = flags(parsed.value.spec);
    applied = await applyGroup(deps, parsed.value, pods);
  } else {
    applied = { deployment: deps.children.deployment.cached(namespace, name), actions: [], problems: [invalidSpecProblem(parsed.problems)] };
  }
  if (!applied.elastic) deps.elastic?.forget(envelope.metadata.uid);

  applied = { ...applied, problems: [...applied.problems, ...imagePullProblems(pods)] };

  const subject: EventSubject = { apiVersion: GROUP_VERSION, kind: KIND, name, namespace, uid: envelope.metadata.uid };
  for (const action of applied.actions) await deps.events.record(subject, applied.elastic && action.action === "scaled" && !action.drift ? elasticScaledNote(action, applied.elastic) : actionNote(action));
  const status = await writeStatus(deps, envelope, specFlags, applied);
  for (const note of status?.notes ?? []) await deps.events.record(subject, note);
  const changes = [...applied.actions.map((a) => `${a.action} ${a.kind}`), ...(status ? ["status"] : [])];
  return {
    result: applied.problems.length > 0 ? "degraded" : "success",
    changes,
    ...(parsed.ok && parsed.value.spec.elastic && deps.elastic ? { requeueAfterMs: deps.elastic.intervalMs } : {}),
  };
}

/** The Scaled event of an elastic decision says why. */
function elasticScaledNote(action: Extract<ChildAction, { action: "scaled" }>, verdict: ElasticVerdict): EventNote {
  return { type: "Normal", reason: "Scaled", message: `Scaled ${action.kind} ${action.name} from ${action.from} to ${action.to} processes (${verdict.reason}): ${verdict.message}` };
}

/** An elastic group's processes for this pass: the decision, from the Deployment's replicas now. */
async function elasticVerdict(deps: ReconcileDeps, pg: ProcessGroup, pods: readonly V1Pod[]): Promise<ElasticVerdict | undefined> {
  const { elastic } = pg.spec;
  if (!elastic || !deps.elastic) return undefined;
  const live = deps.children.deployment.cached(pg.metadata.namespace ?? "", pg.metadata.name);
  const current = live?.spec?.replicas ?? flags(pg.spec).processes;
  return deps.elastic.decide({ ...pg, spec: { ...pg.spec, elastic } }, pods, current, deps.clock.now());
}

/** The problems that stop the group, or the objects it wants made real. */
async function applyGroup(deps: ReconcileDeps, pg: ProcessGroup, pods: readonly V1Pod[]): Promise<Applied> {
  const namespace = pg.metadata.namespace ?? "";
  const name = pg.metadata.name;
  const problems: Problem[] = specProblems(pg, { configMapExists: (ns, cm) => deps.configMaps.get(cm, ns) !== undefined });

  const claim = routeClaimOf(pg);
  const contested = claim ? contestedMounts(claim, otherClaims(deps, claim)) : new Map<string, RouteClaim>();
  const conflict = claim ? mountConflictProblem(claim.host, contested) : undefined;
  if (conflict) problems.push(conflict);

  if (problems.some((p) => p.blocking)) return { deployment: deps.children.deployment.cached(namespace, name), actions: [], problems };

  const configMapName = pg.spec.source.type === "ConfigMap" ? pg.spec.source.configMap?.name : undefined;
  const configMap = configMapName ? deps.configMaps.get(configMapName, namespace) : undefined;
  const elastic = await elasticVerdict(deps, pg, pods);
  const desired = render(pg, {
    runtimeImage: deps.runtimeImage,
    sourceChecksum: configMap?.sourceChecksum,
    excludedMounts: new Set(contested.keys()),
    replicas: elastic?.desired,
  });

  const actions: ChildAction[] = [];
  const rejected = (kind: string, error: unknown): Problem => ({ reason: REASON.applyRejected, message: `the API server refused the ${kind}: ${messageOf(error)}`, blocking: false });
  const attempt = async <T>(kind: string, step: () => Promise<T>): Promise<T | undefined> => {
    try {
      return await step();
    } catch (error) {
      if (!isRejected(error)) throw error;
      problems.push(rejected(kind, error));
      return undefined;
    }
  };

  // The pods' account first: a pod naming an account that does not exist yet is refused.
  const serviceAccount = await attempt("ServiceAccount", () => ensureChild(deps.children.serviceAccount, desired.serviceAccount));
  const role = await attempt("Role", () => ensureChild(deps.children.role, desired.role));
  const roleBinding = await attempt("RoleBinding", () => ensureChild(deps.children.roleBinding, desired.roleBinding));
  const deployment = await attempt("Deployment", () => ensureChild(deps.children.deployment, desired.deployment));
  const service = await attempt("Service", () => ensureChild(deps.children.service, desired.service));
  for (const done of [serviceAccount, role, roleBinding, deployment, service]) if (done?.action) actions.push(done.action);
  const wantedIngress = desired.ingress;
  if (wantedIngress) {
    const ingress = await attempt("Ingress", () => ensureChild(deps.children.ingress, wantedIngress));
    if (ingress?.action) actions.push(ingress.action);
  } else if (pg.metadata.uid) {
    const pruned = await pruneChild(deps.children.ingress, namespace, name, pg.metadata.uid);
    if (pruned) actions.push(pruned);
  }
  return { deployment: deployment?.object ?? deps.children.deployment.cached(namespace, name), actions, problems, elastic };
}

function otherClaims(deps: ReconcileDeps, self: RouteClaim): RouteClaim[] {
  return deps.processGroups.all().flatMap((o) => {
    const claim = routeClaimOf(o);
    return claim && claim.host === self.host ? [claim] : [];
  });
}

/**
 * One status write per pass, and only when the status differs from what the server holds.
 * The caches may be behind (our own last write, the Deployment controller's), so a
 * difference is confirmed with fresh reads first. Returns the degrade/recover events the
 * change calls for.
 */
async function writeStatus(
  deps: ReconcileDeps,
  envelope: Envelope,
  specFlags: ConcurrencyFlags | undefined,
  applied: Applied,
): Promise<{ notes: EventNote[] } | undefined> {
  const { name, namespace } = envelope.metadata;
  const statusFrom = (previous: ProcessGroupStatus | undefined, deployment: V1Deployment | undefined): ProcessGroupStatus =>
    statusOf({
      name,
      generation: envelope.metadata.generation,
      specFlags,
      elastic: applied.elastic,
      selector: selectorString(name),
      deployment,
      problems: applied.problems,
      previous,
      now: timestamp(deps.clock.now()),
    });
  // Another controller's conditions are its own (server-side apply leaves them): they never make ours differ.
  const ours = (s: ProcessGroupStatus | undefined): ProcessGroupStatus =>
    s?.conditions ? { ...s, conditions: s.conditions.filter((c) => OWN_CONDITIONS.has(c.type)) } : (s ?? {});
  const same = (a: ProcessGroupStatus | undefined, b: ProcessGroupStatus): boolean => stableJson(ours(a)) === stableJson(b);

  if (same(envelope.status, statusFrom(envelope.status, applied.deployment))) return undefined;
  // Both caches may lag: never write a status built from an older Deployment than the one it replaces.
  const fresh = envelopeOf(await deps.processGroups.read(namespace, name));
  if (!fresh || fresh.metadata.uid !== envelope.metadata.uid) return undefined;
  const next = statusFrom(fresh.status, await deps.children.deployment.read(namespace, name));
  if (same(fresh.status, next)) return undefined;
  try {
    await deps.processGroups.writeStatus(namespace, name, next);
  } catch (error) {
    if (isNotFound(error)) return undefined;
    throw error;
  }
  return { notes: degradedNotes(fresh.status?.conditions, next.conditions ?? []) };
}
