import fc from "fast-check";
import { beforeAll, describe, expect, it } from "vitest";
import { kubeConfig } from "../integration/support/control-plane.ts";
import { applyCrd } from "../integration/support/crd.ts";
import { createTestNamespace } from "../integration/support/namespace.ts";
import { chaosSeed, reportFigures } from "./support/figures.ts";
import { bodyOf, type SpecDocument } from "./support/specs-arbitraries.ts";
import { mixedDocument } from "./support/specs-mutations.ts";
import { renderVerdict, runsOf, serverVerdict } from "./support/specs-verdicts.ts";

// The zod schema (processgroup render, the runtime) and the CRD (kubectl apply) are two
// enforcements of one definition. Generated documents, valid, with one rule broken or with
// two, must get the same verdict from both: none accepted by one and refused by the other.

let namespace: string;
beforeAll(async () => {
  await applyCrd();
  namespace = (await createTestNamespace("specs-agreement")).name;
});

async function verdicts(document: SpecDocument) {
  const body = bodyOf(document);
  return { render: renderVerdict(body), apiserver: await serverVerdict(kubeConfig(), namespace, body) };
}

describe("zod and the CRD agree", () => {
  it("on every generated document, valid or not", async () => {
    const seed = chaosSeed();
    const numRuns = runsOf(300);
    let accepted = 0;
    let refused = 0;
    let disagreements = 0;
    try {
      await fc.assert(
        fc.asyncProperty(mixedDocument, async (document) => {
          const { render, apiserver } = await verdicts(document);
          if (apiserver.accepted) accepted++;
          else refused++;
          if (render.accepted !== apiserver.accepted) disagreements++;
          expect(render.accepted, JSON.stringify({ document, render: render.said, apiserver: apiserver.said }, null, 1)).toBe(apiserver.accepted);
        }),
        { numRuns, seed },
      );
    } finally {
      reportFigures({
        scenario: "specs: zod and the CRD give every generated document one verdict",
        load: `${numRuns} generated documents (valid, one rule broken, two broken), each to render and to an API server dry run`,
        faults: "type, range, pattern, uniqueness, CEL and unknown-field violations, nulls, longest values",
        requests: accepted + refused,
        failed: disagreements,
        lost: 0,
        notes: `fast-check seed ${seed} (PROCESSGROUP_CHAOS_SEED=${seed} replays it); ${accepted} accepted, ${refused} refused by the API server`,
      });
    }
    // The generator must exercise both sides, or the property proves little.
    expect(accepted).toBeGreaterThan(numRuns / 10);
    expect(refused).toBeGreaterThan(numRuns / 10);
  });

  it("on the largest document the schema allows, and on one item more", async () => {
    // Every uniqueness rule compares all pairs: the API server's CEL cost limit must not refuse what zod accepts.
    const applications = Array.from({ length: 64 }, (_, i) => ({
      name: `${"a".repeat(60)}${String(i).padStart(3, "0")}`,
      mount: `/${"m".repeat(252)}${String(i).padStart(3, "0")}`,
      entry: "e".repeat(1024),
      applicationGroup: `${"g".repeat(60)}${String(i).padStart(3, "0")}`,
      requires: { multiprocess: true, multithread: true },
    }));
    const env = Array.from({ length: 128 }, (_, i) => ({ name: `${"E".repeat(250)}${String(i).padStart(6, "0")}`, value: "v" }));
    const largest: SpecDocument = { name: "s".repeat(63), spec: { processes: 2, threads: 4, applications, env } };
    const largestVerdicts = await verdicts(largest);
    expect(largestVerdicts.apiserver.said).toBe("accepted");
    expect(largestVerdicts.render.said).toBe("accepted");

    const moreEnv = await verdicts({ ...largest, spec: { ...largest.spec, env: [...env, { name: "ONE_MORE" }] } });
    expect(moreEnv.apiserver.paths).toContain("spec.env");
    expect(moreEnv.render.paths).toContain("spec.env");
    const moreApplications = await verdicts({ ...largest, spec: { ...largest.spec, applications: [...applications, { name: "one-more", mount: "/one-more", entry: "x.mjs" }] } });
    expect(moreApplications.apiserver.paths).toContain("spec.applications");
    expect(moreApplications.render.paths).toContain("spec.applications");
  });
});
