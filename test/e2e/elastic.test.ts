import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { stringify } from "yaml";
import { deleteNamespace, groupStatus, kubectlOk, readyPods, restrictedNamespace, serviceAddress, waitFor } from "./support/cluster.ts";
import { steadyLoad, type LoadReport } from "./support/http.ts";

// Elastic processes on real pods: the operator (in its pod, from the chart) reads each ready
// pod's /metrics by its IP. A load that keeps one pod's threads busy with requests waiting
// scales the group up, within maxProcesses; with the load gone it scales back to the
// minimum after the stabilization window, the pods draining as in a rollout. Every request
// of both phases is counted, and none may fail.
let namespace: string;
const name = "elastic";
const selector = `processgroup.dev/name=${name}`;
const THREADS = 2;
const MAX = 6;
const WINDOW_SECONDS = 15;

// Each request holds its thread for 250 ms (an awaited I/O wait), as a slow backend would.
const app = "export default { async fetch() { await new Promise((r) => setTimeout(r, 250)); return Response.json({ ok: true }); } };\n";

beforeAll(async () => {
  namespace = await restrictedNamespace("e2e-elastic");
  const code = { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "code" }, data: { "app.mjs": app } };
  await kubectlOk(["apply", "-n", namespace, "-f", "-"], stringify(code));
  const group = {
    apiVersion: "processgroup.dev/v1alpha1",
    kind: "ProcessGroup",
    metadata: { name },
    spec: {
      threads: THREADS,
      elastic: { maxProcesses: MAX, scaleDownStabilizationSeconds: WINDOW_SECONDS },
      source: { type: "ConfigMap", configMap: { name: "code" } },
      applications: [{ name: "app", mount: "/", entry: "app.mjs" }],
    },
  };
  await kubectlOk(["apply", "-n", namespace, "-f", "-"], stringify(group));
  await readyPods(namespace, selector, 1);
}, 180_000);

afterAll(async () => {
  if (namespace !== undefined) await deleteNamespace(namespace);
});

function describeReport(what: string, report: LoadReport): void {
  const reasons = [...new Set(report.failures)].slice(0, 5).join("; ");
  console.log(`${what}: ${report.sent} requests, ${report.failures.length} failed${reasons === "" ? "" : ` (${reasons})`}`);
}

describe("elastic processes on a real node", () => {
  it("a load that saturates one pod scales up within max; without it the group returns to the minimum; no request fails", async () => {
    const idle = await waitFor("the idle decision", async () => {
      const s = await groupStatus(namespace, name);
      return s.desiredProcesses === 1 ? s : `desired ${String(s.desiredProcesses)}`;
    });
    expect(idle).toMatchObject({ processes: 1, multiprocess: true });
    const url = `http://${await serviceAddress(namespace, name, "http")}/`;

    // 4 loops of back-to-back requests on 2 threads: 2 busy, 2 waiting. 4 requests at once
    // need 3 processes at 70% of 2 threads; a queue on one pod (kube-proxy spreads requests at
    // random) may add one more, never past maxProcesses.
    const heavy = steadyLoad(url, 4);
    let peak = 1;
    const scaledUp = await waitFor("scaled up to 3 or more ready processes", async () => {
      const s = await groupStatus(namespace, name);
      peak = Math.max(peak, s.processes ?? 0);
      return (s.readyProcesses ?? 0) >= 3 && s.readyProcesses === s.processes ? s : `processes ${String(s.processes)}, ready ${String(s.readyProcesses)}`;
    }, 120_000);
    const loaded = await heavy.stop();
    describeReport("elastic scale-up under load", loaded);
    console.log(`elastic scale-up: ${String(scaledUp.processes)} processes (peak ${peak}, max ${MAX})`);
    expect(scaledUp.processes).toBeLessThanOrEqual(MAX);
    expect(peak).toBeLessThanOrEqual(MAX);

    // One request at a time is well under the target on one pod: back to 1 after the window.
    const light = steadyLoad(url, 1);
    const started = Date.now();
    await waitFor("back to the minimum, 1 ready process", async () => {
      const s = await groupStatus(namespace, name);
      return s.processes === 1 && s.readyProcesses === 1 ? s : `processes ${String(s.processes)}, ready ${String(s.readyProcesses)}`;
    }, 180_000);
    await readyPods(namespace, selector, 1);
    await new Promise((resolve) => setTimeout(resolve, 2_000));
    const after = await light.stop();
    describeReport("elastic scale-down", after);
    expect(Date.now() - started).toBeGreaterThanOrEqual((WINDOW_SECONDS - 1) * 1000);

    const events = await kubectlOk(["get", "events", "-n", namespace, "--field-selector", `involvedObject.name=${name},reason=Scaled`, "-o", "jsonpath={range .items[*]}{.message}{\"\\n\"}{end}"]);
    console.log(`elastic Scaled events:\n${events}`);
    expect(events).toMatch(/\(QueueNotEmpty\)|\(AboveTarget\)/);
    expect(events).toMatch(/to 1 processes \(BelowTarget\)/);

    expect(loaded.ok).toBeGreaterThan(50);
    expect(after.ok).toBeGreaterThan(10);
    expect([...loaded.failures, ...after.failures]).toEqual([]);
  });
});
