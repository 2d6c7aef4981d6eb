import fc from "fast-check";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, expect, it } from "vitest";
import { processgroup } from "../cli/run-cli.ts";
import { kubeConfig } from "../integration/support/control-plane.ts";
import { applyCrd } from "../integration/support/crd.ts";
import { createTestNamespace } from "../integration/support/namespace.ts";
import { chaosSeed, reportFigures } from "./support/figures.ts";
import { bodyOf } from "./support/specs-arbitraries.ts";
import { invalidDocument, type InvalidDocument } from "./support/specs-mutations.ts";
import { isWithin, renderedProblems, renderVerdict, runsOf, serverVerdict, yamlFileOf } from "./support/specs-verdicts.ts";

// Valid documents with exactly one rule broken: the API server refuses each naming the broken
// field, and so does processgroup render (its pure core per document, then the command itself
// on all of them as one multi-document file), naming the same field or the item inside it.

let namespace: string;
beforeAll(async () => {
  await applyCrd();
  namespace = (await createTestNamespace("specs-invalid")).name;
});

it("every document with one rule broken is refused by the API server and by render, naming the field", async () => {
  const seed = chaosSeed();
  const numRuns = runsOf(200);
  const checked: InvalidDocument[] = [];
  const rules = new Set<string>();
  let failed = 0;
  try {
    await fc.assert(
      fc.asyncProperty(invalidDocument, async (document) => {
        const body = bodyOf(document);
        const apiserver = await serverVerdict(kubeConfig(), namespace, body);
        const render = renderVerdict(body);
        const report = JSON.stringify({ document, apiserver: apiserver.said, render: render.said }, null, 1);
        const named = !apiserver.accepted && !render.accepted && apiserver.paths.includes(document.serverPath) && render.paths.includes(document.path);
        // Exactly one rule broken: neither names a field outside the broken one.
        const onlyThat = [...apiserver.paths, ...render.paths].every((path) => isWithin(path, document.serverPath));
        if (!named || !onlyThat) failed++;
        expect(apiserver.paths, report).toContain(document.serverPath);
        expect(render.paths, report).toContain(document.path);
        expect(onlyThat, report).toBe(true);
        checked.push(document);
        rules.add(document.rule);
      }),
      { numRuns, seed },
    );

    // The command a user runs, on all of them at once: one line per problem, each with its document number.
    const dir = await mkdtemp(join(tmpdir(), "pg-specs-invalid-"));
    try {
      const file = join(dir, "invalid.yaml");
      await writeFile(file, yamlFileOf(checked.map((document) => bodyOf(document))));
      const cli = processgroup(["render", "-f", file]);
      expect(cli.status, cli.stderr.slice(0, 2000)).toBe(1);
      expect(cli.stdout).toBe("");
      const named = renderedProblems(cli.stderr.split("\n"));
      checked.forEach((document, i) => expect(named.get(i + 1) ?? [], `document ${i + 1}: ${document.rule}`).toContain(document.path));
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  } finally {
    reportFigures({
      scenario: "specs: every invalid document refused with its field path",
      load: `${numRuns} generated documents, each a valid one with one rule broken; the API server (dry run), render's core, then the render command on all of them`,
      faults: `${rules.size} kinds of broken rule: types, ranges, patterns, uniqueness, CEL requires-vs-flags, reserved env prefix, source, route, unknown fields, null items, group name`,
      requests: checked.length + failed,
      failed,
      lost: 0,
      notes: `fast-check seed ${seed} (PROCESSGROUP_CHAOS_SEED=${seed} replays it)`,
    });
  }
  // Most kinds of mutation came up, or the property proves little.
  expect(rules.size).toBeGreaterThan(20);
});
