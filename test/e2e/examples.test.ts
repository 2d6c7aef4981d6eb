import { readFileSync, readdirSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { z } from "zod";
import { flags } from "../../crds/index.ts";
import { cluster, deleteNamespace, groupStatus, kubectlOk, readyPods, restrictedNamespace, serviceAddress, waitFor } from "./support/cluster.ts";
import { until } from "../support/until.ts";
import { get } from "./support/http.ts";

// Scenarios 2 and 7 (runtime side): every example, as a user applies it, with the examples
// image built from the Dockerfile, in a namespace that enforces the restricted profile.
const examplesDir = fileURLToPath(new URL("../../examples/", import.meta.url));
const exampleSchema = z.object({
  metadata: z.object({ name: z.string() }),
  spec: z.object({
    image: z.string().optional(),
    processes: z.number().optional(),
    threads: z.number().optional(),
    applications: z.array(z.object({ name: z.string(), mount: z.string(), applicationGroup: z.string().optional() })),
  }),
});
const examples = readdirSync(examplesDir)
  .filter((f) => f.endsWith(".yaml"))
  .sort()
  .map((file) => ({ file, text: readFileSync(`${examplesDir}${file}`, "utf8") }))
  .map(({ file, text }) => ({ file, text, pg: exampleSchema.parse(parse(text)) }))
  // The cluster examples name the examples image; the others (express.yaml) need an image of
  // their own app and its node_modules, and are run by `processgroup serve` (test/runtime).
  .flatMap(({ file, text, pg }) => (pg.spec.image === undefined ? [] : [{ file, text, pg, image: pg.spec.image }]));

const helloSchema = z.object({
  hello: z.literal("world"),
  processGroup: z.string(),
  applicationGroup: z.string(),
  multiprocess: z.boolean(),
  multithread: z.boolean(),
  threads: z.number(),
});
const counterSchema = z.object({ applicationGroup: z.string(), moduleHits: z.number(), processHits: z.number() });

let namespace: string;

beforeAll(async () => {
  namespace = await restrictedNamespace("e2e-examples");
  const image = cluster().images.examples;
  for (const { text, image: published } of examples) {
    // The image the examples name is the published one; this cluster has the one just built.
    await kubectlOk(["apply", "-n", namespace, "-f", "-"], text.replaceAll(published, image));
  }
}, 60_000);

afterAll(async () => {
  if (namespace !== undefined) await deleteNamespace(namespace);
});

describe.each(examples)("examples/$file on a real node", ({ pg }) => {
  const name = pg.metadata.name;
  const expected = flags(pg.spec);
  const selector = `processgroup.dev/name=${name}`;

  it("runs its processes Ready through their real probes, and the status says so", async () => {
    await readyPods(namespace, selector, expected.processes);
    const status = await waitFor("readyProcesses", async () => {
      const s = await groupStatus(namespace, name);
      return s.readyProcesses === expected.processes ? s : `readyProcesses ${String(s.readyProcesses)}`;
    });
    expect(status).toMatchObject({ processes: expected.processes, multiprocess: expected.multiprocess, multithread: expected.multithread });
  });

  it("answers on every pod with the flags and application groups the apps see", async () => {
    const ready = await readyPods(namespace, selector, expected.processes);
    for (const pod of ready) {
      const ip = pod.status.podIP;
      expect(ip, pod.metadata.name).toBeDefined();
      for (const app of pg.spec.applications) {
        const answer = await get(`http://${ip}:8080${app.mount === "/" ? "/probe" : app.mount}`);
        expect(answer.status, `${pod.metadata.name} ${app.mount}`).toBe(200);
        if (app.name === "hello") {
          expect(helloSchema.parse(JSON.parse(answer.body))).toMatchObject({
            processGroup: name,
            applicationGroup: app.applicationGroup ?? "hello",
            multiprocess: expected.multiprocess,
            multithread: expected.multithread,
            threads: expected.threads,
          });
        }
        if (app.name === "counter") {
          expect(counterSchema.parse(JSON.parse(answer.body)).applicationGroup).toBe(app.applicationGroup);
        }
      }
    }
  });

  it("answers through its Service", async () => {
    const address = await serviceAddress(namespace, name, "http");
    // kube-proxy programs a new Service's rules within its sync period: until then the
    // address refuses connections.
    const answer = await until(`the Service ${name} to accept connections`, 30_000, () => get(`http://${address}/`).catch(() => undefined));
    expect(answer.status).toBe(200);
    if (pg.spec.applications.some((a) => a.mount === "/" && a.name === "hello")) {
      expect(helloSchema.parse(JSON.parse(answer.body)).processGroup).toBe(name);
    }
  });
});

// Only the examples with the counter app (module state and `shared`).
describe.each(examples.filter(({ pg }) => pg.spec.applications.some((a) => a.name === "counter")))(
  "examples/$file: state on a real node",
  ({ pg }) => {
    const name = pg.metadata.name;
    const expected = flags(pg.spec);
    const selector = `processgroup.dev/name=${name}`;
    it("shares `shared` across the threads of one process, and only there", async () => {
        const [pod, other] = await readyPods(namespace, selector, expected.processes);
        const hits = async (ip: string | undefined): Promise<number[]> => {
          const seen: number[] = [];
          for (let i = 0; i < 12; i++) seen.push(counterSchema.parse(JSON.parse((await get(`http://${ip}:8080/counter`)).body)).processHits);
          return seen;
        };
        const first = await hits(pod?.status.podIP);
        // One process-wide counter: strictly increasing by one, whichever thread answered.
        for (let i = 1; i < first.length; i++) expect(first[i]).toBe((first[i - 1] ?? 0) + 1);
        if (other !== undefined) {
          const second = await hits(other.status.podIP);
          // The other process has its own: its count did not include the first pod's 12.
          expect(second[0]).toBeLessThan((first.at(-1) ?? 0) + 1);
        }
      });
  },
);
