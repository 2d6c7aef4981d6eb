import { mkdtempSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { until } from "../support/until.ts";
import { processgroup } from "./run-cli.ts";
import { hasStackTrace, startCli, type Running } from "./spawn-cli.ts";

const dir = mkdtempSync(join(tmpdir(), "pg-cli-operator-"));
function kubeconfig(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}
const pointingAt = (server: string) => `apiVersion: v1
kind: Config
clusters: [{name: c, cluster: {server: "${server}"}}]
users: [{name: u, user: {token: t}}]
contexts: [{name: x, context: {cluster: c, user: u}}]
current-context: x
`;

/** A loopback port that refuses connections: bound to learn a free number, then closed. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen({ host: "127.0.0.1", port: 0 }, resolve));
  const address = server.address();
  await new Promise((resolve) => server.close(resolve));
  if (address === null || typeof address === "string") throw new Error("no port");
  return address.port;
}

const running: Running[] = [];
afterEach(() => {
  for (const r of running.splice(0)) r.kill();
});

describe("processgroup operator: one line for a kubeconfig it cannot use", () => {
  it("names a missing --kubeconfig file and the flag (exit 1)", () => {
    const { status, stdout, stderr } = processgroup(["operator", "--kubeconfig", "/nonexistent"]);
    expect(status).toBe(1);
    expect(stdout).toBe("");
    expect(stderr).toBe("processgroup operator: --kubeconfig /nonexistent: cannot load the kubeconfig (no such file); point --kubeconfig at a kubeconfig file\n");
  });

  it("names a file that is not YAML, and one without a current context", () => {
    const broken = kubeconfig("broken", "clusters: [\n");
    const notYaml = processgroup(["operator", "--kubeconfig", broken]);
    expect(notYaml.status).toBe(1);
    expect(notYaml.stderr).toMatch(new RegExp(`^processgroup operator: --kubeconfig ${broken}: cannot load the kubeconfig \\(.+\\); point --kubeconfig at a kubeconfig file\\n$`));
    const empty = kubeconfig("empty", "apiVersion: v1\nkind: Config\n");
    const noContext = processgroup(["operator", "--kubeconfig", empty]);
    expect([noContext.status, noContext.stderr]).toEqual([1, `processgroup operator: --kubeconfig ${empty}: no current context with a cluster; set current-context in the file or use kubectl config use-context\n`]);
    const fromEnv = processgroup(["operator"], undefined, { KUBECONFIG: join(dir, "absent") });
    expect([fromEnv.status, fromEnv.stderr]).toEqual([1, `processgroup operator: KUBECONFIG=${join(dir, "absent")}: cannot load the kubeconfig (no such file); point --kubeconfig at a kubeconfig file\n`]);
    expect(hasStackTrace(notYaml.stderr + noContext.stderr)).toBe(false);
  });

  it("refuses a bad --log-level in one line (exit 2)", () => {
    const { status, stderr } = processgroup(["operator", "--log-level", "verbose"]);
    expect([status, stderr]).toEqual([2, "processgroup operator: --log-level: must be one of fatal, error, warn, info, debug, trace, silent (see processgroup operator --help)\n"]);
  });
});

describe("processgroup operator with no reachable API server", () => {
  it("is not ready, and logs the connection errors with a growing backoff", async () => {
    const server = `https://127.0.0.1:${await closedPort()}`;
    const op = startCli(["operator", "--kubeconfig", kubeconfig("down", pointingAt(server)), "--metrics-port", "0", "--bind-address", "127.0.0.1"]);
    running.push(op);
    const started = await op.waitForLog("operator started", (l) => l.msg === "operator started");
    const errors = await until("three connection errors", 30_000, () => {
      const lines = op.logs.filter((l) => l.msg === "cannot reach the API server");
      return lines.length >= 3 ? lines : undefined;
    });
    expect(errors.every((l) => l["level"] === "error" && l["server"] === server && String(l["err"]).includes("ECONNREFUSED"))).toBe(true);
    const delays = errors.map((l) => Number(l["retryInMs"]));
    expect(delays[1]).toBeGreaterThan(delays[0]!);
    expect(delays[2]).toBeGreaterThan(delays[1]!);
    const ready = await fetch(`http://127.0.0.1:${String(started["port"])}/readyz`);
    expect(ready.status).toBe(503);
    expect(await ready.text()).toBe(`cannot reach the API server at ${server} (fetch failed: ECONNREFUSED)\n`);
    expect((await fetch(`http://127.0.0.1:${String(started["port"])}/healthz`)).status).toBe(200);
    op.child.kill("SIGTERM");
    expect((await op.exited).code).toBe(0);
    expect(hasStackTrace(op.stderr())).toBe(false);
  });
});
