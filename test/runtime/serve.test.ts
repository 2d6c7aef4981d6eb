import { request } from "node:http";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sleep, until } from "./support/harness.ts";
import { loadUntil } from "./support/load.ts";
import { seriesValue } from "./support/metrics.ts";
import { groupFile, spawnCli, titleOf, waitReady, type Spawned } from "./support/spawned.ts";

const fixture = (name: string) => fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url));

/** GET on a connection of its own, so the supervisor deals each request to a process. */
function getFresh(url: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    request(url, { agent: false, headers: { connection: "close" } }, (res) => {
      let body = "";
      res.setEncoding("utf8").on("data", (c: string) => (body += c));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
    })
      .on("error", reject)
      .end();
  });
}

// `processgroup serve`: several OS processes on one port, as mod_wsgi-express runs a group.
describe("processgroup serve with processes: 2", () => {
  let served: Spawned;
  let url = "";
  let adminUrl = "";
  beforeAll(async () => {
    const file = await groupFile(`
apiVersion: processgroup.dev/v1alpha1
kind: ProcessGroup
metadata:
  name: duo
spec:
  processes: 2
  threads: 2
  displayName: "pg-%{GROUP}"
  gracefulTimeoutSeconds: 10
  applications:
    - name: echo
      mount: /
      entry: ${fixture("echo.mjs")}
    - name: count
      mount: /count
      entry: ${fixture("shared-counter.mjs")}
    - name: work
      mount: /work
      entry: ${fixture("work.mjs")}
`);
    served = spawnCli(["serve", "-f", file, "--port", "0", "--admin-port", "0"]);
    const serving = await served.waitForLog("serving", (l) => l.msg === "serving");
    url = `http://127.0.0.1:${String(serving["port"])}`;
    adminUrl = `http://127.0.0.1:${String(serving["adminPort"])}`;
    await waitReady(adminUrl);
  });
  afterAll(async () => {
    if (served.child.exitCode === null) served.child.kill("SIGKILL");
  });

  const pidsSeen = async (n: number) => {
    const answers = await Promise.all(Array.from({ length: n }, () => getFresh(`${url}/`)));
    return answers.map((a) => JSON.parse(a.body) as { pid: number; multiprocess: boolean; multithread: boolean; threads: number });
  };

  it("shares the port between two processes that report the cluster's flags and title", async () => {
    const answers = await pidsSeen(24);
    expect(answers.every((a) => a.multiprocess && a.multithread && a.threads === 2)).toBe(true);
    const pids = [...new Set(answers.map((a) => a.pid))];
    expect(pids).toHaveLength(2);
    for (const pid of pids) expect(await titleOf(pid)).toBe("pg-duo");
    expect(await titleOf(served.child.pid!)).toBe("pg-duo (supervisor)");
  });

  it("deals new connections to its processes in turn, as node:cluster's primary does", async () => {
    // The kernel's SO_REUSEPORT hash split 20 connections 10/10 in fewer than one run in five.
    const counts = new Map<number, number>();
    for (const { pid } of await pidsSeen(20)) counts.set(pid, (counts.get(pid) ?? 0) + 1);
    expect([...counts.values()]).toEqual([10, 10]);
  });

  it("keeps `shared` per process: each process counts only its own requests", async () => {
    const answers = await Promise.all(Array.from({ length: 24 }, async () => JSON.parse((await getFresh(`${url}/count?n=1`)).body) as { total: number; pid: number }));
    const byProcess = new Map<number, number[]>();
    for (const a of answers) byProcess.set(a.pid, [...(byProcess.get(a.pid) ?? []), a.total]);
    expect(byProcess.size).toBe(2);
    for (const totals of byProcess.values()) expect(totals.sort((x, y) => x - y)).toEqual(totals.map((_, i) => i + 1));
  });

  it("answers for all processes on the admin port", async () => {
    const metrics = await (await fetch(`${adminUrl}/metrics`)).text();
    expect(seriesValue(metrics, "processgroup_threads", { process: "0", application_group: "echo" })).toBe(2);
    expect(seriesValue(metrics, "processgroup_threads", { process: "1", application_group: "echo" })).toBe(2);
    expect((await fetch(`${adminUrl}/healthz`)).status).toBe(200);
  });

  it("starts a process again when it dies", async () => {
    const before = new Set((await pidsSeen(16)).map((a) => a.pid));
    const [victim] = [...before];
    process.kill(victim!, "SIGKILL");
    await served.waitForLog("the restart", (l) => l.msg === "a process died; starting it again");
    await waitReady(adminUrl);
    const after = await until("a new process serving", 20_000, async () => {
      const pids = new Set((await pidsSeen(16)).map((a) => a.pid));
      return pids.size === 2 && !pids.has(victim!) ? pids : undefined;
    });
    expect(after.has(victim!)).toBe(false);
  });

  it("loses no request while one process drains on SIGTERM and is replaced", async () => {
    let stopLoad!: () => void;
    const load = loadUntil(`${url}/work/sleep?ms=20`, 6, new Promise<void>((resolve) => (stopLoad = resolve)));
    await sleep(500);
    const [victim] = (await pidsSeen(4)).map((a) => a.pid);
    process.kill(victim!, "SIGTERM");
    await until("the process to drain and exit", 20_000, () => {
      try {
        process.kill(victim!, 0);
        return undefined;
      } catch {
        return true;
      }
    });
    await sleep(500);
    stopLoad();
    const result = await load;
    expect(result.errors).toEqual([]);
    expect(Object.keys(result.statuses)).toEqual(["200"]);
    expect(result.total).toBeGreaterThan(20);
  });

  it("on SIGTERM answers every request in flight, then exits 0", async () => {
    const inFlight = Array.from({ length: 4 }, () => getFresh(`${url}/work/sleep?ms=3000`));
    // In flight means inside the runtime (running, or waiting for a thread), not merely sent:
    // on a loaded machine a fixed pause can end before the last request reaches a process.
    await until("all four requests inside the runtime", 20_000, async () => {
      const metrics = await (await fetch(`${adminUrl}/metrics`)).text();
      const inside = seriesValue(metrics, "processgroup_threads", { state: "busy" }) + seriesValue(metrics, "processgroup_queue_length");
      return inside === 4 ? true : undefined;
    });
    served.child.kill("SIGTERM");
    const answers = await Promise.all(inFlight);
    expect(answers.map((a) => a.status)).toEqual([200, 200, 200, 200]);
    expect(await served.exited).toBe(0);
    await expect(getFresh(`${url}/`)).rejects.toThrow(/ECONNREFUSED/);
  });
});
