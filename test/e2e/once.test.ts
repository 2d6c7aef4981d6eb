import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { stringify } from "yaml";
import { z } from "zod";
import { deleteNamespace, kubectlOk, pods, readyPods, restrictedNamespace, waitFor, type Pod } from "./support/cluster.ts";
import { get } from "./support/http.ts";

// env.once() on real pods: 3 pods x 2 threads all call it while their app is imported; one
// pod of the rollout runs it (a Lease per key and pod-template revision, held with the
// group's own ServiceAccount); a pod that replaces a deleted one does not run it again; a
// rollout runs it once more.
let namespace: string;

beforeAll(async () => {
  namespace = await restrictedNamespace("e2e-once");
}, 60_000);

afterAll(async () => {
  if (namespace !== undefined) await deleteNamespace(namespace);
});

const code = (version: string): string => `
import { once, shared } from "processgroup";
const ran = await once("resume-unfinished", async () => { await new Promise((resolve) => setTimeout(resolve, 500)); }, { wait: true });
if (ran) await shared.set("ran", true);
export default { async fetch(request, env) { return Response.json({ version: ${JSON.stringify(version)}, pod: process.env.PROCESSGROUP_POD_NAME, revision: process.env.PROCESSGROUP_REVISION, ran: (await env.shared.get("ran")) === true }); } };
`;

async function applyCode(version: string): Promise<void> {
  const configMap = { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "code" }, data: { "app.mjs": code(version) } };
  await kubectlOk(["apply", "-n", namespace, "-f", "-"], stringify(configMap));
}

const answerSchema = z.object({ version: z.string(), pod: z.string(), revision: z.string(), ran: z.boolean() });
type PodAnswer = z.infer<typeof answerSchema>;
const selector = "processgroup.dev/name=resume";

/** Every Ready pod's answer, once all `count` answer with `version`. */
async function answers(count: number, version: string, without: readonly string[] = []): Promise<PodAnswer[]> {
  return waitFor(`every pod answering ${version}`, async () => {
    const ready: Pod[] = await readyPods(namespace, selector, count);
    if (ready.some((p) => without.includes(p.metadata.name))) return "a deleted pod is still there";
    const all: PodAnswer[] = [];
    for (const pod of ready) {
      const answer = answerSchema.parse(JSON.parse((await get(`http://${pod.status.podIP}:8080/`)).body));
      if (answer.version !== version) return `${pod.metadata.name} answers ${answer.version}`;
      all.push(answer);
    }
    return all;
  });
}

const leaseSchema = z.object({
  items: z.array(z.object({ metadata: z.object({ name: z.string(), annotations: z.record(z.string(), z.string()).optional(), labels: z.record(z.string(), z.string()) }) })),
});

async function onceLeases() {
  const out = await kubectlOk(["get", "leases", "-n", namespace, "-l", "processgroup.dev/once-key=resume-unfinished", "-o", "json"]);
  return leaseSchema.parse(JSON.parse(out)).items;
}

describe("env.once() on real pods", () => {
  it("3 pods: exactly one runs it; a replaced pod does not run it again; a rollout runs it once more", async () => {
    await applyCode("v1");
    const group = {
      apiVersion: "processgroup.dev/v1alpha1",
      kind: "ProcessGroup",
      metadata: { name: "resume" },
      spec: { processes: 3, threads: 2, source: { type: "ConfigMap", configMap: { name: "code" } }, applications: [{ name: "app", mount: "/", entry: "app.mjs" }] },
    };
    await kubectlOk(["apply", "-n", namespace, "-f", "-"], stringify(group));

    const first = await answers(3, "v1");
    expect(first.filter((a) => a.ran)).toHaveLength(1);
    expect(new Set(first.map((a) => a.revision)).size).toBe(1);
    let leases = await onceLeases();
    expect(leases).toHaveLength(1);
    expect(leases[0]?.metadata.name).toBe(`resume-once-${first[0]?.revision}-resume-unfinished`);
    expect(leases[0]?.metadata.annotations?.["processgroup.dev/once-done"]).toBe("true");
    const sa = await kubectlOk(["get", "pods", "-n", namespace, "-l", selector, "-o", "jsonpath={.items[0].spec.serviceAccountName}"]);
    expect(sa).toBe("resume-runtime");

    // The runner's pod is deleted: its replacement (same ReplicaSet, same revision) finds the run done.
    const runner = first.find((a) => a.ran)?.pod ?? "";
    await kubectlOk(["delete", "pod", "-n", namespace, runner, "--wait=false"]);
    const replaced = await answers(3, "v1", [runner]);
    expect(replaced.filter((a) => a.ran)).toHaveLength(0);
    expect((await onceLeases()).length).toBe(1);

    // A new rollout (new pod-template revision) runs it again, in one pod.
    await applyCode("v2");
    const rolled = await answers(3, "v2");
    expect(rolled.filter((a) => a.ran)).toHaveLength(1);
    expect(rolled[0]?.revision).not.toBe(first[0]?.revision);
    leases = await onceLeases();
    expect(leases).toHaveLength(2);
    expect(leases.every((l) => l.metadata.annotations?.["processgroup.dev/once-done"] === "true")).toBe(true);
    const all = await pods(namespace, selector);
    expect(all).toHaveLength(3);
  });
});
