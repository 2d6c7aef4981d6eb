import { CustomObjectsApi, PatchStrategy, setHeaderOptions } from "@kubernetes/client-node";
import { readdir, readFile } from "node:fs/promises";
import { beforeAll, describe, expect, test } from "vitest";
import { parseAllDocuments } from "yaml";
import { z } from "zod";
import { refusal } from "./support/api-error.ts";
import { kubeConfig } from "./support/control-plane.ts";
import { applyCrd, processGroupApi, readCrd } from "./support/crd.ts";
import { kubectl } from "./support/kubectl.ts";
import { withNamespace } from "./support/namespace.ts";
import { until } from "../support/until.ts";

const examplesDir = new URL("../../examples/", import.meta.url);
const mergePatch = setHeaderOptions("Content-Type", PatchStrategy.MergePatch);

// The parts of a ProcessGroup these tests read back; the apiserver is the one validating.
const processGroupSchema = z.object({
  metadata: z.object({ name: z.string(), generation: z.number() }),
  spec: z.looseObject({ processes: z.number().optional(), threads: z.number() }),
});
const scaleSchema = z.object({
  spec: z.object({ replicas: z.number() }),
  status: z.object({ replicas: z.number(), selector: z.string().optional() }),
});

type Manifest = { apiVersion: string; kind: string; metadata: { name: string }; spec: Record<string, unknown> };

function processGroup(name: string, spec: Record<string, unknown>): Manifest {
  return { apiVersion: `${processGroupApi.group}/${processGroupApi.version}`, kind: "ProcessGroup", metadata: { name }, spec };
}

const hello = { name: "hello", mount: "/", entry: "apps/hello.mjs" };

function api(): CustomObjectsApi {
  return kubeConfig().makeApiClient(CustomObjectsApi);
}

function create(namespace: string, body: unknown): Promise<unknown> {
  return api().createNamespacedCustomObject({ ...processGroupApi, namespace, body, fieldValidation: "Strict" });
}

async function read(namespace: string, name: string): Promise<z.infer<typeof processGroupSchema>> {
  return processGroupSchema.parse(await api().getNamespacedCustomObject({ ...processGroupApi, namespace, name }));
}

// What an operator would write, here written by the test itself since no operator runs.
async function writeStatus(namespace: string, name: string, status: Record<string, unknown>): Promise<void> {
  await api().patchNamespacedCustomObjectStatus({ ...processGroupApi, namespace, name, body: { status } }, mergePatch);
}

beforeAll(async () => {
  await applyCrd();
});

describe("the ProcessGroup CRD", () => {
  test("installs and becomes Established, with the pgrp short name", async () => {
    const crd = await applyCrd();
    expect(crd.spec.group).toBe("processgroup.dev");
    expect(crd.spec.scope).toBe("Namespaced");
    expect(crd.spec.names.kind).toBe("ProcessGroup");
    expect(crd.spec.names.shortNames).toContain("pgrp");
    expect(crd.status?.acceptedNames?.shortNames).toContain("pgrp");
    // The served schema keeps the rules and defaults (a lossy client would drop them silently).
    const served = crd.spec.versions[0]?.schema?.openAPIV3Schema?.properties?.["spec"];
    const generated = (await readCrd()).spec.versions[0]?.schema?.openAPIV3Schema?.properties?.["spec"];
    expect(served?.x_kubernetes_validations?.length).toBeGreaterThan(0);
    expect(served?.x_kubernetes_validations).toEqual(generated?.x_kubernetes_validations);
    expect(served?.properties?.["threads"]?._default).toBe(15);
  });

  test("accepts every example in examples/", async () => {
    const files = (await readdir(examplesDir)).filter((file) => file.endsWith(".yaml")).sort();
    expect(files.length).toBeGreaterThan(0);
    await withNamespace("examples", async (namespace) => {
      for (const file of files) {
        const documents = parseAllDocuments(await readFile(new URL(file, examplesDir), "utf8"));
        for (const document of documents) {
          const manifest = z.object({ metadata: z.object({ name: z.string() }) }).loose().parse(document.toJS());
          await expect(create(namespace, manifest), file).resolves.toBeDefined();
          const stored = await read(namespace, manifest.metadata.name);
          expect(stored.spec.threads, `${file}: threads is defaulted`).toBeGreaterThanOrEqual(1);
        }
      }
    });
  });
});

interface InvalidCase {
  what: string;
  body: unknown;
  /** Every fragment must appear in the apiserver's message. */
  message: readonly string[];
  code: number;
}

const invalidCases: readonly InvalidCase[] = [
  {
    what: "threads 0",
    body: processGroup("bad", { threads: 0, applications: [hello] }),
    message: ["spec.threads", "should be greater than or equal to 1"],
    code: 422,
  },
  {
    what: "negative processes",
    body: processGroup("bad", { processes: -2, applications: [hello] }),
    message: ["spec.processes", "should be greater than or equal to 1"],
    code: 422,
  },
  {
    what: "a string where an integer belongs",
    body: processGroup("bad", { threads: "many", applications: [hello] }),
    message: ["spec.threads", "must be of type integer"],
    code: 422,
  },
  {
    what: "a mount without a leading /",
    body: processGroup("bad", { applications: [{ ...hello, mount: "blog" }] }),
    message: ["spec.applications[0].mount", "must be a URL path prefix starting with '/', such as / or /blog (no trailing '/')"],
    code: 422,
  },
  {
    what: "duplicate mounts",
    body: processGroup("bad", {
      applications: [hello, { name: "other", mount: "/", entry: "apps/other.mjs" }],
    }),
    message: ["spec.applications", "mounts must be unique in the group"],
    code: 422,
  },
  {
    what: "an unknown field (field validation Strict)",
    body: processGroup("bad", { treads: 4, applications: [hello] }),
    message: ['unknown field "spec.treads"'],
    code: 400,
  },
  {
    what: "requires.multiprocess=false with processes set",
    body: processGroup("bad", { processes: 1, applications: [{ ...hello, requires: { multiprocess: false } }] }),
    message: ["spec.applications", "requires.multiprocess contradicts the group"],
    code: 422,
  },
  {
    what: "requires.multithread=false with more than one thread",
    body: processGroup("bad", { threads: 4, applications: [{ ...hello, requires: { multithread: false } }] }),
    message: ["spec.applications", "requires.multithread contradicts the group"],
    code: 422,
  },
  {
    what: "an elastic group whose minimum (processes) exceeds maxProcesses",
    body: processGroup("bad", { processes: 5, elastic: { maxProcesses: 4 }, applications: [hello] }),
    message: ["spec.processes", "processes is an elastic group's minimum (kubectl scale sets it) and must not exceed elastic.maxProcesses"],
    code: 422,
  },
  {
    what: "requires.multiprocess=false on an elastic group",
    body: processGroup("bad", { elastic: { maxProcesses: 4 }, applications: [{ ...hello, requires: { multiprocess: false } }] }),
    message: ["spec.applications", "requires.multiprocess contradicts the group"],
    code: 422,
  },
];

describe("invalid ProcessGroups are refused at create time", () => {
  test.each(invalidCases)("$what", async ({ body, message, code }) => {
    await withNamespace("invalid", async (namespace) => {
      const refused = await refusal(create(namespace, body));
      expect(refused.code).toBe(code);
      for (const fragment of message) expect(refused.message).toContain(fragment);
    });
  });
});

describe("the scale subresource", () => {
  test("sets spec.processes and reports status.selector", async () => {
    await withNamespace("scale", async (namespace) => {
      await create(namespace, processGroup("web", { processes: 2, applications: [hello] }));
      const selector = "app.kubernetes.io/name=processgroup,app.kubernetes.io/instance=web";
      await writeStatus(namespace, "web", { processes: 2, readyProcesses: 0, selector });

      const scale = scaleSchema.parse(await api().getNamespacedCustomObjectScale({ ...processGroupApi, namespace, name: "web" }));
      expect(scale).toMatchObject({ spec: { replicas: 2 }, status: { replicas: 2, selector } });

      await api().patchNamespacedCustomObjectScale(
        { ...processGroupApi, namespace, name: "web", body: { spec: { replicas: 4 } } },
        mergePatch,
      );
      expect((await read(namespace, "web")).spec.processes).toBe(4);

      const scaled = await kubectl(["scale", "pgrp", "web", "-n", namespace, "--replicas=3"]);
      expect(scaled.stderr).toBe("");
      expect((await read(namespace, "web")).spec.processes).toBe(3);
    });
  });

  test("refuses a scale that would contradict an application's requires", async () => {
    // The CRD's rules run on writes through the scale subresource too, so `kubectl scale`
    // cannot give a group processes (multiprocess=true) that an app requires to be false.
    await withNamespace("scale-requires", async (namespace) => {
      const debugger_ = { ...hello, requires: { multiprocess: false } };
      await create(namespace, processGroup("debug", { threads: 1, applications: [debugger_] }));
      const refused = await refusal(
        api().patchNamespacedCustomObjectScale(
          { ...processGroupApi, namespace, name: "debug", body: { spec: { replicas: 2 } } },
          mergePatch,
        ),
      );
      expect(refused.code).toBe(422);
      expect(refused.message).toContain("requires.multiprocess contradicts the group");
      expect((await read(namespace, "debug")).spec.processes).toBeUndefined();
    });
  });
});

describe("the scale subresource on an elastic group", () => {
  test("kubectl scale moves the minimum, and is refused above maxProcesses", async () => {
    await withNamespace("scale-elastic", async (namespace) => {
      await create(namespace, processGroup("elastic", { elastic: { maxProcesses: 4 }, applications: [hello] }));
      const scaled = await kubectl(["scale", "pgrp", "elastic", "-n", namespace, "--replicas=3"]);
      expect(scaled.stderr).toBe("");
      expect((await read(namespace, "elastic")).spec).toMatchObject({ processes: 3, elastic: { maxProcesses: 4 } });

      const refused = await kubectl(["scale", "pgrp", "elastic", "-n", namespace, "--replicas=5"]);
      expect(refused.stderr).toContain("processes is an elastic group's minimum (kubectl scale sets it) and must not exceed elastic.maxProcesses");
      expect((await read(namespace, "elastic")).spec.processes).toBe(3);
    });
  });
});

describe("kubectl", () => {
  test("get pgrp shows the printer columns", async () => {
    await withNamespace("columns", async (namespace) => {
      await create(namespace, processGroup("worker", { processes: 2, threads: 25, applications: [hello] }));
      await writeStatus(namespace, "worker", { processes: 2, readyProcesses: 1, threads: 25, multiprocess: true, multithread: true });
      await create(namespace, processGroup("elastic", { processes: 1, elastic: { maxProcesses: 4 }, applications: [hello] }));
      await writeStatus(namespace, "elastic", { processes: 3, desiredProcesses: 3, readyProcesses: 2, threads: 15, multiprocess: true, multithread: true });
      const result = await kubectl(["get", "pgrp", "-n", namespace]);
      expect(result.stderr).toBe("");
      const [header = "", ...rows] = result.stdout.trimEnd().split("\n");
      const names = header.split(/\s+/);
      expect(names).toEqual(["NAME", "PROCESSES", "DESIRED", "READY", "THREADS", "MULTIPROCESS", "MULTITHREAD", "AGE"]);
      // Cells by the header's column positions: a group that is not elastic leaves DESIRED empty.
      const starts = names.map((n) => header.indexOf(n));
      const cells = (row: string) => starts.slice(0, 7).map((start, i) => row.slice(start, starts[i + 1]).trim());
      expect(rows.map(cells)).toEqual([
        ["elastic", "3", "3", "2", "15", "true", "true"],
        ["worker", "2", "", "1", "25", "true", "true"],
      ]);
    });
  });

  test("explain processgroup.spec shows every field's description", async () => {
    const crd = await readCrd();
    const specSchema = crd.spec.versions[0]?.schema?.openAPIV3Schema?.properties?.["spec"];
    const fields = Object.entries(specSchema?.properties ?? {});
    expect(fields.length).toBeGreaterThan(5);
    const normalize = (text: string): string => text.replaceAll(/\s+/g, " ");
    // The apiserver publishes a new CRD's OpenAPI a moment after it is Established.
    const output = await until("kubectl explain to know the CRD", 30_000, async () => {
      const result = await kubectl(["explain", "processgroup.spec"]);
      return result.exitCode === 0 ? normalize(result.stdout) : undefined;
    });
    expect(output).toContain(normalize(specSchema?.description ?? "missing"));
    for (const [name, schema] of fields) {
      expect(output, name).toContain(`${name} <`);
      expect(output, name).toContain(normalize(schema.description ?? `no description for ${name}`));
    }
  });
});
