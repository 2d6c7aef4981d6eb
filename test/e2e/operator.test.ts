import { describe, expect, it } from "vitest";
import { cluster, kubectlOk, pods, readyPods, serviceAddress } from "./support/cluster.ts";
import { get } from "./support/http.ts";

// Scenarios 1 and 7 (operator side): the chart, installed by the global setup with the
// operator image built from the Dockerfile, runs as a real pod under the restricted profile.
describe("the chart's operator on a real node", () => {
  const { namespace, release } = cluster().operator;
  const selector = `app.kubernetes.io/instance=${release}`;

  it("runs Ready, admitted by a namespace that enforces the restricted profile", async () => {
    const [pod] = await readyPods(namespace, selector, 1);
    expect(pod?.status.containerStatuses?.[0]?.ready).toBe(true);
    const enforce = await kubectlOk(["get", "namespace", namespace, "-o", "jsonpath={.metadata.labels.pod-security\\.kubernetes\\.io/enforce}"]);
    expect(enforce).toBe("restricted");
    const image = await kubectlOk(["get", "pods", "-n", namespace, "-l", selector, "-o", "jsonpath={.items[0].spec.containers[0].image}"]);
    expect(image).toBe(cluster().images.operator);
  });

  it("serves /metrics through its Service (kube-proxy's rules to the pod)", async () => {
    const service = await kubectlOk(["get", "service", "-n", namespace, "-l", selector, "-o", "jsonpath={.items[0].metadata.name}"]);
    const address = await serviceAddress(namespace, service, "metrics");
    const answer = await get(`http://${address}/metrics`);
    expect(answer.status).toBe(200);
    expect(answer.body).toMatch(/^processgroup_operator_reconciles_total\{result="success"\} \d+$/m);
  });

  it("holds its leader Lease, so it reconciles", async () => {
    const [pod] = await pods(namespace, selector);
    const holder = await kubectlOk(["get", "lease", "-n", namespace, "-o", "jsonpath={.items[*].spec.holderIdentity}"]);
    expect(holder).toContain(pod?.metadata.name);
  });
});
