import type { KubernetesObject, V1Deployment } from "@kubernetes/client-node";
import fc from "fast-check";
import { expect, it } from "vitest";
import { parseAllDocuments } from "yaml";
import { ENV } from "../../crds/index.ts";
import { kubeConfig } from "../integration/support/control-plane.ts";
import { useOperator } from "../integration/operator-support/in-process-operator.ts";
import { envOf } from "../integration/operator-support/process-groups.ts";
import { chaosMode, chaosSeed, reportFigures } from "./support/figures.ts";
import { bodyOf, flagsOf, validDocument } from "./support/specs-arbitraries.ts";
import { childrenVerdict, renderVerdict, runsOf, serverVerdict } from "./support/specs-verdicts.ts";
import { reconcileSample, type SampleOutcome } from "./support/specs-reconcile.ts";

// Every generated valid document renders (pure) and is accepted by the API server; a sample of
// them is created on the real control plane, where the operator reconciles each to Ready with
// its generation observed, or, where Kubernetes refuses what the spec implies (a negative
// quantity, an image with spaces around it: things the schema does not check), to the
// documented Degraded: ApplyRejected for a refused child, ReplicaFailure for refused pods.

const file = useOperator("specs-valid", { pods: true });

it("every generated valid document renders, is accepted, and a sample of them reconciles", async () => {
  const seed = chaosSeed();
  const numRuns = runsOf(150);
  let rendered = 0;
  let failed = 0;
  /** Fields of children Kubernetes refused (indices dropped), by how often. */
  const refusedFields = new Map<string, number>();
  let childrenRefused = 0;
  let outcomes: SampleOutcome[] = [];
  try {
    await fc.assert(
      fc.asyncProperty(validDocument, async (document) => {
        const body = bodyOf(document);
        const render = renderVerdict(body);
        const apiserver = await serverVerdict(kubeConfig(), file.namespace, body);
        if (!render.accepted || !apiserver.accepted) failed++;
        const report = JSON.stringify({ document, render: render.said, apiserver: apiserver.said }, null, 1);
        expect(render.accepted, report).toBe(true);
        expect(apiserver.accepted, report).toBe(true);

        const objects = parseAllDocuments(render.yaml ?? "").map((d) => d.toJS() as KubernetesObject);
        const deployment = objects.find((o): o is V1Deployment => o.kind === "Deployment");
        const flags = flagsOf(document.spec);
        const processes = typeof document.spec["processes"] === "number" ? document.spec["processes"] : 1;
        expect(deployment?.spec?.replicas, report).toBe(processes);
        const env = deployment ? envOf(deployment) : {};
        expect(env[ENV.multiprocess], report).toBe(String(flags.multiprocess));
        expect(env[ENV.multithread], report).toBe(String(flags.multithread));
        rendered++;
        const children = await childrenVerdict(kubeConfig(), file.namespace, objects);
        if (children.accepted) return;
        childrenRefused++;
        for (const field of new Set(children.paths.map((p) => p.replaceAll(/\[[^\]]*\]/g, "")))) refusedFields.set(field, (refusedFields.get(field) ?? 0) + 1);
      }),
      { numRuns, seed },
    );

    const sample = fc.sample(validDocument, { seed, numRuns: chaosMode() === "long" ? 40 : 10 });
    outcomes = await reconcileSample(file.namespace, sample);
    for (const outcome of outcomes) expect(outcome.problems, outcome.name).toEqual([]);
  } finally {
    const ready = outcomes.filter((o) => o.expected === "Ready" && o.problems.length === 0).length;
    const commonest = [...refusedFields].sort(([, a], [, b]) => b - a).slice(0, 4).map(([field, n]) => `${field} (${n})`);
    const degraded = outcomes.filter((o) => o.expected !== "Ready" && o.problems.length === 0).map((o) => o.expected);
    reportFigures({
      scenario: "specs: every valid document renders and is accepted; a sample reconciles",
      load: `${numRuns} generated valid documents (render, API server dry run, dry run of the children); ${outcomes.length} created with a running operator and kwok pods`,
      faults: "edge values: longest strings (astral characters), largest integers, nulls for empty keys, every optional field",
      requests: rendered + failed + outcomes.length,
      failed: failed + outcomes.filter((o) => o.problems.length > 0).length,
      lost: outcomes.filter((o) => o.problems.some((p) => p.startsWith("generation"))).length,
      notes: `fast-check seed ${seed}; ${childrenRefused} of ${rendered} valid documents imply a child or pod Kubernetes refuses (the operator reports Degraded, ApplyRejected or ReplicaFailure): ${commonest.join(", ")}; sample: ${ready} Ready, ${degraded.length} Degraded as predicted (${degraded.join(", ") || "none"})`,
    });
  }
});
