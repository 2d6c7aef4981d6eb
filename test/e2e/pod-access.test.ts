import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { deleteNamespace, kubectl, readyPods, restrictedNamespace, waitFor } from "./support/cluster.ts";
import { get } from "./support/http.ts";
import { applyHelloGroup } from "./support/groups.ts";

// Scenario 8: kubectl logs and exec reach a runtime pod (the apiserver calls the kubelet on
// the node's address), and scenario 7's restrictions hold inside the container.
let namespace: string;
let pod: string;
let podIp: string;

beforeAll(async () => {
  namespace = await restrictedNamespace("e2e-access");
  await applyHelloGroup(namespace, "access");
  const [ready] = await readyPods(namespace, "processgroup.dev/name=access", 1);
  pod = ready?.metadata.name ?? "";
  podIp = ready?.status.podIP ?? "";
}, 180_000);

afterAll(async () => {
  if (namespace !== undefined) await deleteNamespace(namespace);
});

describe("a runtime pod on a real node", () => {
  it("shows the runtime's JSON log through kubectl logs, up to its `ready` line", async () => {
    expect((await get(`http://${podIp}:8080/from-the-e2e-test`)).status).toBe(200);
    const lines = await waitFor("the runtime's ready line in kubectl logs", async () => {
      const result = await kubectl(["logs", "-n", namespace, pod]);
      if (result.exitCode !== 0) return result.stderr;
      const parsed = result.stdout.trim().split("\n").map((line) => JSON.parse(line) as Record<string, unknown>);
      return parsed.some((l) => l["msg"] === "ready") ? parsed : `no ready line in ${result.stdout}`;
    });
    for (const line of lines) expect(line["processGroup"]).toBe("access");
  });

  it("runs a command through kubectl exec: non-root, read-only root filesystem, writable /tmp", async () => {
    const script = [
      "const fs = require('node:fs');",
      "let rootWritable = true; try { fs.writeFileSync('/app/x', 'x'); } catch { rootWritable = false; }",
      "fs.writeFileSync('/tmp/x', 'x');",
      "const status = fs.readFileSync('/proc/self/status', 'utf8');",
      "console.log(JSON.stringify({ uid: process.getuid(), gid: process.getgid(), rootWritable,",
      "  noNewPrivs: /NoNewPrivs:\\s+1/.test(status), seccomp: /Seccomp:\\s+2/.test(status), capEff: /CapEff:\\s+(\\w+)/.exec(status)[1] }));",
    ].join(" ");
    const result = await kubectl(["exec", "-n", namespace, pod, "--", "node", "-e", script]);
    expect(result.exitCode, result.stderr).toBe(0);
    expect(JSON.parse(result.stdout)).toEqual({
      uid: 10001,
      gid: 10001,
      rootWritable: false,
      noNewPrivs: true,
      seccomp: true,
      capEff: "0000000000000000",
    });
  });
});
