import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, describe, expect, it } from "vitest";
import { until } from "../support/until.ts";
import { seriesValue } from "../runtime/support/metrics.ts";
import { chaosMode, reportFigures } from "./support/figures.ts";
import { describeLoad, failedRequests, startSteadyLoad, type SteadyLoadOptions } from "./support/runtime-load.ts";
import { LONG_FAULT_SECONDS, SCENARIO_TIMEOUT_MS, repeatFor, rollEveryProcess } from "./support/runtime-rollout.ts";
import { capacityRecovered, describeStatus, isAlive, mainHeapMb, processStatus, serveGroup, settledStatus, statusOfFresh, steadyStatus, type ProcessStatus, type ServedGroup } from "./support/runtime-served.ts";
import { describeRest, leaks, rssBoundMb, SEGMENTS, SEGMENT_SECONDS, soak, type Rest } from "./support/runtime-soak.ts";

const STEADY = fileURLToPath(new URL("./fixtures/runtime-steady.mjs", import.meta.url));
const long = chaosMode() === "long";

let group: ServedGroup | undefined;
let folder: string | undefined;
afterEach(async () => {
  await group?.stop();
  group = undefined;
  if (folder) await rm(folder, { recursive: true, force: true });
  folder = undefined;
});

const spec = (processes: number, threads: number, entry: string) => `  processes: ${processes}
  threads: ${threads}
  gracefulTimeoutSeconds: 10
  applications:
    - name: steady
      mount: /
      entry: ${entry}
`;

// Under constant load, every process of `processgroup serve` is replaced one by one, as a
// rollout replaces pods: no request may fail, none may be lost.
describe.each([
  { processes: 3, threads: 2, quickPasses: 1 },
  { processes: 1, threads: 2, quickPasses: 2 },
])("rolling restart of $processes process(es) under load", ({ processes, threads, quickPasses }) => {
  it("answers every request, through every replacement", { timeout: SCENARIO_TIMEOUT_MS }, async () => {
    const served = (group = await serveGroup(`roll${processes}`, spec(processes, threads, STEADY)));
    const firstPids = served.servingPids();
    // Clients on fresh connections keep the accept queues busy, where a closing socket would
    // reset what waits; keep-alive clients meet the drain on connections they reuse.
    const options: SteadyLoadOptions = { url: served.url, paths: ["/?ms=10"], keepAliveClients: 6, freshClients: 6 };
    const load = startSteadyLoad(options);
    await load.completed(100);
    let passes = 0;
    const replaced: number[] = [];
    // The supervisor outlives every replacement: it must not gather threads, memory or
    // descriptors (each slot's held socket, each process's IPC channel) along the way.
    let supervisorWarm: ProcessStatus | undefined;
    const pass = async () => {
      replaced.push(...(await rollEveryProcess(served, processes)));
      passes += 1;
      supervisorWarm ??= await processStatus(served.supervisorPid);
    };
    if (long) await repeatFor(LONG_FAULT_SECONDS, pass);
    else for (let i = 0; i < quickPasses; i++) await pass();
    await load.completed(100);
    const report = await load.stop();
    const supervisorEnd = await settledStatus(served.supervisorPid, supervisorWarm!);
    const failed = failedRequests(report);
    reportFigures({
      scenario: `rolling restart, ${processes} process(es) x ${threads} threads`,
      load: describeLoad(options, report),
      faults: `SIGTERM to each process in turn, ${passes} pass(es): ${replaced.length} processes replaced`,
      requests: report.sent,
      failed,
      lost: report.lost,
      notes: `${report.retried} retried on a reused connection; supervisor after pass 1 ${describeStatus(supervisorWarm!)}, at the end ${describeStatus(supervisorEnd)}; errors: ${JSON.stringify(report.errorSamples)}`,
    });
    expect(report.errorSamples).toEqual([]);
    expect(failed).toBe(0);
    expect(report.lost).toBe(0);
    expect(replaced).toHaveLength(passes * processes);
    expect(supervisorEnd.threads).toBe(supervisorWarm!.threads);
    expect(supervisorEnd.openFiles).toBeLessThanOrEqual(supervisorWarm!.openFiles);
    if (long) expect(supervisorEnd.rssMb).toBeLessThanOrEqual(rssBoundMb(supervisorWarm!.rssMb));
    expect(served.servingPids().some((pid) => firstPids.includes(pid))).toBe(false);
    expect(isAlive(served.supervisorPid)).toBe(true);
    expect(await capacityRecovered(served, processes * threads, "/?ms=0", 4 * processes * threads)).toEqual(Array(4 * processes * threads).fill(200));
  });
});

const versioned = (source: string, version: string) => source.replace(/const VERSION = "[^"]*";/, `const VERSION = "${version}";`);

describe("reloading app code under load", () => {
  it("answers every request while each process replaces its threads with the new code", { timeout: SCENARIO_TIMEOUT_MS }, async () => {
    const processes = 2;
    const threads = 2;
    folder = await mkdtemp(join(tmpdir(), "pg-chaos-reload-"));
    const entry = join(folder, "app.mjs");
    const source = await readFile(STEADY, "utf8");
    await writeFile(entry, versioned(source, "v0"));
    const served = (group = await serveGroup("reload", spec(processes, threads, entry)));
    const pids = served.servingPids();
    const options: SteadyLoadOptions = { url: served.url, paths: ["/?ms=10"], keepAliveClients: 6, freshClients: 2 };
    let reloads = 0;
    const reload = async () => {
      reloads += 1;
      const version = `v${reloads}`;
      const before = seriesValue(await served.metrics(), "processgroup_thread_recycles_total", { reason: "reload" });
      await writeFile(entry, versioned(source, version));
      // Every thread of every process runs the new code: each process has replaced all of
      // its threads once, and then fresh connections (spread over the processes) all say so.
      await until(`every thread on ${version}`, 60_000, async () =>
        seriesValue(await served.metrics(), "processgroup_thread_recycles_total", { reason: "reload" }) >= before + processes * threads ? true : undefined,
      );
      await until(`fresh connections answered by ${version}`, 60_000, async () => {
        const bodies = await Promise.all(Array.from({ length: 8 }, () => fetch(`${served.url}/?ms=0`, { headers: { connection: "close" } }).then((r) => r.text())));
        return bodies.every((b) => b.startsWith(`${version} `)) ? true : undefined;
      });
    };
    // The processes stay while their threads are replaced at every reload: compared at rest.
    let warm: Rest | undefined;
    const atRest = async (): Promise<Rest> => {
      await capacityRecovered(served, processes * threads, "/?ms=0", 4);
      const statuses = await Promise.all(pids.map((pid, i) => (warm ? settledStatus(pid, warm.processes[i]!) : steadyStatus(pid))));
      return { processes: statuses, mainHeapMb: await mainHeapMb(served) };
    };
    const warmUp = await soak(options, 1, async () => {}, atRest);
    const baseline = (warm = warmUp.rests[0]!);
    const { report, rests } = await soak(options, SEGMENTS, async () => {
      if (long) await repeatFor(SEGMENT_SECONDS, reload);
      else for (let i = 0; i < 2; i++) await reload();
    }, atRest);
    const failed = failedRequests(report) + failedRequests(warmUp.report);
    const versions = new Set(Object.keys(report.bodies).map((b) => b.split(" ")[0]));
    reportFigures({
      scenario: `reload of app code, ${processes} processes x ${threads} threads`,
      load: describeLoad(options, report),
      faults: `entry file rewritten ${reloads} time(s); every thread of every process replaced each time`,
      requests: report.sent + warmUp.report.sent,
      failed,
      lost: report.lost + warmUp.report.lost,
      notes: `${versions.size} code versions answered; ${report.retried} retried on a reused connection; at rest after warm-up ${describeRest(baseline)}, after each segment ${rests.map(describeRest).join("; ")}; errors: ${JSON.stringify(report.errorSamples)}`,
    });
    expect([...report.errorSamples, ...warmUp.report.errorSamples]).toEqual([]);
    expect(failed).toBe(0);
    expect(report.lost + warmUp.report.lost).toBe(0);
    expect(versions.size).toBeGreaterThanOrEqual(2);
    expect(served.servingPids().sort()).toEqual([...pids].sort());
    expect(leaks(baseline, rests)).toEqual([]);
    expect(await capacityRecovered(served, processes * threads, "/?ms=0", 16)).toEqual(Array(16).fill(200));
    expect(await statusOfFresh(`${served.url}/?ms=0`)).toBe(200);
  });
});
