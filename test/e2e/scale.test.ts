import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { deleteNamespace, groupStatus, kubectlOk, readyPods, restrictedNamespace, serviceAddress, waitFor } from "./support/cluster.ts";
import { underLoad } from "./support/http.ts";
import { applyHelloGroup } from "./support/groups.ts";

// Scenario 5: kubectl scale on the ProcessGroup's scale subresource moves real pods, the
// status follows them, and a scale-down under load drops no request (preStop sleep, then
// the runtime's graceful drain, while kube-proxy takes the pod out of the Service).
let namespace: string;
const name = "scaled";
const selector = `processgroup.dev/name=${name}`;

beforeAll(async () => {
  namespace = await restrictedNamespace("e2e-scale");
  await applyHelloGroup(namespace, name, { processes: 1 });
  await readyPods(namespace, selector, 1);
}, 180_000);

afterAll(async () => {
  if (namespace !== undefined) await deleteNamespace(namespace);
});

async function readyProcesses(count: number): Promise<void> {
  await waitFor(`readyProcesses ${count}`, async () => {
    const s = await groupStatus(namespace, name);
    return s.readyProcesses === count && s.processes === count ? s : `processes ${String(s.processes)}, ready ${String(s.readyProcesses)}`;
  });
}

describe("kubectl scale of a ProcessGroup on a real node", () => {
  it("scales to 3 real pods and readyProcesses follows", async () => {
    await kubectlOk(["scale", "-n", namespace, `processgroup/${name}`, "--replicas=3"]);
    const pods = await readyPods(namespace, selector, 3);
    expect(new Set(pods.map((p) => p.status.podIP)).size).toBe(3);
    await readyProcesses(3);
  });

  it("scales back to 1 under steady load through the Service without a failed request", async () => {
    const address = await serviceAddress(namespace, name, "http");
    const report = await underLoad("scale 3 -> 1", `http://${address}/`, async () => {
      await kubectlOk(["scale", "-n", namespace, `processgroup/${name}`, "--replicas=1"]);
      await readyPods(namespace, selector, 1);
      await readyProcesses(1);
    });
    expect(report.ok).toBeGreaterThan(50);
    expect(report.failures).toEqual([]);
  });
});
