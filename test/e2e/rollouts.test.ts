import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { stringify } from "yaml";
import { z } from "zod";
import { resolveBinaries } from "../controlplane/binaries.ts";
import { stderrProgress } from "../controlplane/progress.ts";
import { runCommand } from "../integration/support/run-command.ts";
import { cluster, deleteNamespace, kubectlOk, pods, readyPods, restrictedNamespace, serviceAddress, waitFor, type Pod } from "./support/cluster.ts";
import { applyHelloGroup } from "./support/groups.ts";
import { get, underLoad } from "./support/http.ts";

// Scenarios 3, 4 and 6: rolling the pods under steady load through the Service, with every
// failed request counted. A ConfigMap change and an image change must drop none (maxSurge
// 1, maxUnavailable 0, preStop sleep, graceful drain); deleting a pod is reported.
let namespace: string;

beforeAll(async () => {
  namespace = await restrictedNamespace("e2e-rollouts");
}, 60_000);

afterAll(async () => {
  if (namespace !== undefined) await deleteNamespace(namespace);
});

const versionSchema = z.object({ version: z.string() });
const code = (version: string): string =>
  `export default { fetch() { return Response.json({ version: ${JSON.stringify(version)} }); } };\n`;

async function applyCode(version: string): Promise<void> {
  const configMap = { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "code" }, data: { "app.mjs": code(version) } };
  await kubectlOk(["apply", "-n", namespace, "-f", "-"], stringify(configMap));
}

/** Until every pod of the group is Ready and answers with `version` on its own IP. */
async function everyPodAnswers(selector: string, count: number, version: string): Promise<void> {
  await waitFor(`every pod answering ${version}`, async () => {
    const all = await pods(namespace, selector);
    const ready = await readyPods(namespace, selector, count);
    if (all.length !== count) return `${all.length} pods`;
    for (const pod of ready) {
      const answer = versionSchema.parse(JSON.parse((await get(`http://${pod.status.podIP}:8080/`)).body));
      if (answer.version !== version) return `${pod.metadata.name} answers ${answer.version}`;
    }
    return ready;
  });
}

describe("rollouts under steady load on a real node", () => {
  it("a ConfigMap source change rolls the pods with no failed request", async () => {
    await applyCode("v1");
    const group = {
      apiVersion: "processgroup.dev/v1alpha1",
      kind: "ProcessGroup",
      metadata: { name: "from-configmap" },
      spec: {
        processes: 2,
        threads: 2,
        source: { type: "ConfigMap", configMap: { name: "code" } },
        applications: [{ name: "app", mount: "/", entry: "app.mjs" }],
      },
    };
    await kubectlOk(["apply", "-n", namespace, "-f", "-"], stringify(group));
    const selector = "processgroup.dev/name=from-configmap";
    await everyPodAnswers(selector, 2, "v1");
    const image = await kubectlOk(["get", "pods", "-n", namespace, "-l", selector, "-o", "jsonpath={.items[0].spec.containers[0].image}"]);
    expect(image).toBe(cluster().images.runtime);

    const result = await underLoad("ConfigMap change v1 -> v2", `http://${await serviceAddress(namespace, "from-configmap", "http")}/`, async () => {
      await applyCode("v2");
      await everyPodAnswers(selector, 2, "v2");
    });
    expect(result.ok).toBeGreaterThan(50);
    expect(result.failures).toEqual([]);
  });

  it("an image change (a second tag of the examples image) rolls the pods with no failed request", async () => {
    const { crane } = await resolveBinaries(["crane"], stderrProgress);
    const first = cluster().images.examples;
    const second = `${first}-second`;
    const tagged = await runCommand(crane.path, ["tag", first, second.slice(second.lastIndexOf(":") + 1)]);
    expect(tagged.exitCode, tagged.stderr).toBe(0);
    await applyHelloGroup(namespace, "image-change", { processes: 2 });
    const selector = "processgroup.dev/name=image-change";
    await readyPods(namespace, selector, 2);

    const result = await underLoad("image change", `http://${await serviceAddress(namespace, "image-change", "http")}/`, async () => {
      await kubectlOk(["patch", "-n", namespace, "processgroup/image-change", "--type=merge", "-p", JSON.stringify({ spec: { image: second } })]);
      await waitFor("every pod on the second tag", async () => {
        const all = await pods(namespace, selector);
        const onSecond = all.filter((p) => p.spec.containers[0]?.image === second);
        const ready = await readyPods(namespace, selector, 2);
        return onSecond.length === 2 && all.length === 2 ? ready : `${onSecond.length} of ${all.length} on the second tag`;
      });
    });
    expect(result.ok).toBeGreaterThan(50);
    expect(result.failures).toEqual([]);
  });

  it("a deleted pod is replaced; the failed requests are counted and reported", async () => {
    await applyHelloGroup(namespace, "deleted-pod", { processes: 2 });
    const selector = "processgroup.dev/name=deleted-pod";
    const before = await readyPods(namespace, selector, 2);
    const victim = before[0]?.metadata.name ?? "";

    let after: Pod[] = [];
    const result = await underLoad("kubectl delete pod", `http://${await serviceAddress(namespace, "deleted-pod", "http")}/`, async () => {
      await kubectlOk(["delete", "pod", "-n", namespace, victim, "--wait=false"]);
      after = await waitFor("a replacement pod Ready", async () => {
        const ready = await readyPods(namespace, selector, 2);
        return ready.some((p) => p.metadata.name === victim) ? "victim still there" : ready;
      });
    });
    expect(after.map((p) => p.metadata.name)).not.toContain(victim);
    expect(result.ok).toBeGreaterThan(50);
  });
});
