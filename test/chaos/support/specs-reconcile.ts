import type { V1ConfigMap } from "@kubernetes/client-node";
import { flags, parseProcessGroupDocuments, parseWith, ProcessGroup, type Condition } from "../../../crds/index.ts";
import { statusCodeOf } from "../../../operator/src/kube/api-errors.ts";
import { findCondition } from "../../../operator/src/reconcile/conditions.ts";
import { covers } from "../../../operator/src/reconcile/covers.ts";
import { sourceChecksumOf } from "../../../operator/src/reconcile/source-checksum.ts";
import { render, renderedObjects } from "../../../operator/src/render/render.ts";
import { kubeConfig } from "../../integration/support/control-plane.ts";
import { TEST_RUNTIME_IMAGE } from "../../integration/operator-support/in-process-operator.ts";
import { clients, readDeployment } from "../../integration/operator-support/process-groups.ts";
import { processGroupApi } from "../../support/process-group-crd.ts";
import { unlessTimedOut, until } from "../../support/until.ts";
import { bodyOf, type Spec, type SpecDocument } from "./specs-arbitraries.ts";
import { childrenVerdict, yamlOf } from "./specs-verdicts.ts";

export interface SampleOutcome {
  readonly name: string;
  /**
   * What the operator must report: Ready; Degraded ApplyRejected when Kubernetes refuses a
   * child; Degraded ReplicaFailure when it takes the Deployment but refuses its pods.
   */
  readonly expected: "Ready" | "ApplyRejected" | "ReplicaFailure";
  /** Empty when the group got there; otherwise what was seen last. */
  readonly problems: readonly string[];
}

const SAMPLE_IMAGE = "registry.invalid/chaos/app:1";
const SOURCE_DATA = { "app.mjs": "export default { fetch: () => new Response('ok') }" };

/**
 * The document made runnable on kwok nodes without changing what it says about validity: an
 * image where an Image source has none (else ImageMissing), a host of its own (else two groups
 * contest a mount), at most 3 processes and no resources (so the pods always fit the nodes).
 */
function runnable(document: SpecDocument, name: string): SpecDocument {
  const { resources: _fits, ...spec }: Spec = { ...document.spec };
  if (!configMapNameOf(spec) && (spec["image"] === undefined || spec["image"] === null)) spec["image"] = SAMPLE_IMAGE;
  if (typeof spec["processes"] === "number") spec["processes"] = Math.min(spec["processes"], 3);
  if (spec["route"]) spec["route"] = { ...(spec["route"] as object), host: `${name}.chaos.example` };
  return { name, spec };
}

function configMapNameOf(spec: Spec): string | undefined {
  const source = spec["source"] as { type?: string; configMap?: { name?: string } } | null | undefined;
  return source?.type === "ConfigMap" ? source.configMap?.name : undefined;
}

/** Creates the ConfigMap unless it exists (two sampled groups may name the same one, at the same time). */
async function ensureConfigMap(namespace: string, name: string): Promise<V1ConfigMap> {
  const core = clients().core;
  try {
    return await core.createNamespacedConfigMap({ namespace, body: { metadata: { name }, data: SOURCE_DATA } });
  } catch (error) {
    if (statusCodeOf(error) !== 409) throw error;
    return core.readNamespacedConfigMap({ name, namespace });
  }
}

/** What the operator applies for the group, as render computes it with the operator's options. */
function desiredOf(group: ProcessGroup, configMap: V1ConfigMap | undefined) {
  return render(group, { runtimeImage: TEST_RUNTIME_IMAGE, sourceChecksum: configMap ? sourceChecksumOf(configMap) : undefined });
}

const said = (c: Condition | undefined) => `${c?.status}/${c?.reason}: ${c?.message}`;

/** What still differs from the expected outcome (none: reached). */
async function differences(namespace: string, name: string, expected: SampleOutcome["expected"], configMap: V1ConfigMap | undefined): Promise<string[]> {
  const observed = parseWith(ProcessGroup, await clients().custom.getNamespacedCustomObject({ ...processGroupApi, namespace, name }));
  if (!observed.ok) return [`the API server holds a group render refuses: ${JSON.stringify(observed.problems)}`];
  const { metadata, status } = observed.value;
  const seen: string[] = [];
  if (status?.observedGeneration !== metadata.generation) seen.push(`generation ${metadata.generation} not observed (status: ${status?.observedGeneration})`);
  const degraded = findCondition(status?.conditions, "Degraded");
  if (expected !== "Ready") {
    if (degraded?.status !== "True" || degraded.reason !== expected) seen.push(`Degraded ${said(degraded)}`);
    return seen;
  }
  const ready = findCondition(status?.conditions, "Ready");
  if (ready?.status !== "True") seen.push(`Ready ${said(ready)}`);
  if (degraded?.status !== "False") seen.push(`Degraded ${said(degraded)}`);
  const want = flags(observed.value.spec);
  const got = { processes: status?.readyProcesses, threads: status?.threads, multiprocess: status?.multiprocess, multithread: status?.multithread };
  if (status?.processes !== want.processes || JSON.stringify(got) !== JSON.stringify(want)) seen.push(`status ${JSON.stringify(status)}, want ${JSON.stringify(want)} ready`);
  if (!covers(desiredOf(observed.value, configMap).deployment, await readDeployment(namespace, name))) seen.push("the Deployment does not hold what render makes of the spec");
  return seen;
}

/** One group: created, its outcome predicted from dry runs of its children and a pod, then awaited. */
async function reconcileOne(namespace: string, document: SpecDocument, name: string): Promise<SampleOutcome> {
  const group = runnable(document, name);
  const configMapName = configMapNameOf(group.spec);
  const configMap = configMapName ? await ensureConfigMap(namespace, configMapName) : undefined;
  const body = bodyOf(group, namespace);
  const [parsed] = parseProcessGroupDocuments(yamlOf(body));
  if (!parsed?.result.ok) return { name, expected: "Ready", problems: [`render refuses it: ${JSON.stringify(parsed?.result)}`] };
  const children = await childrenVerdict(kubeConfig(), namespace, renderedObjects(desiredOf(parsed.result.value, configMap)));
  const expected = children.accepted ? "Ready" : children.refused === "Pod" ? "ReplicaFailure" : "ApplyRejected";
  await clients().custom.createNamespacedCustomObject({ ...processGroupApi, namespace, body });

  let seen = ["nothing read yet"];
  const reached = await until(`${name} to be ${expected}`, 120_000, async () => {
    seen = await differences(namespace, name, expected, configMap);
    return seen.length === 0 ? true : undefined;
  }).catch(unlessTimedOut(false));
  return { name, expected, problems: reached ? [] : seen };
}

/** Creates every document (made runnable) in `namespace`, where an operator runs, and waits for each outcome. */
export function reconcileSample(namespace: string, documents: readonly SpecDocument[]): Promise<SampleOutcome[]> {
  return Promise.all(documents.map((document, i) => reconcileOne(namespace, document, `valid-${i}`)));
}
