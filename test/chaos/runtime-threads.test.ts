import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { seriesValue } from "../runtime/support/metrics.ts";
import { chaosMode, reportFigures } from "./support/figures.ts";
import { describeLoad, failedRequests, type SteadyLoadOptions } from "./support/runtime-load.ts";
import { capacityRecovered, mainHeapMb, serveGroup, settledStatus, statusOfFresh, steadyStatus, type ServedGroup } from "./support/runtime-served.ts";
import { appFolder, replaceEveryThread, type AppFolder } from "./support/runtime-apps.ts";
import { describeRest, leaks, SEGMENTS, SEGMENT_SECONDS, soak, type Rest } from "./support/runtime-soak.ts";
import { SCENARIO_TIMEOUT_MS } from "./support/runtime-rollout.ts";
import { FAULT_STATUS, faultPicker, type ThreadFault } from "./support/runtime-faults.ts";

const fixture = (path: string) => fileURLToPath(new URL(path, import.meta.url));
const long = chaosMode() === "long";
const THREADS = 4;
/** Two application groups of THREADS threads each. */
const TOTAL_THREADS = 2 * THREADS;
const STORM_CLIENTS = 2;
const QUICK_FAULTS = 16;

let group: ServedGroup | undefined;
let apps: AppFolder | undefined;
afterAll(async () => {
  await group?.stop();
  await apps?.remove();
});

// App code that crashes its thread, loops forever, blows its heap or calls process.exit,
// while well-behaved clients keep asking the same application group (and another one) for
// work: only the faulty requests may fail, each with its 5xx, and the process lives on.
describe("a crash storm in worker threads under load", () => {
  it("fails only the faulty requests, each with its 5xx, and leaves the process whole", { timeout: SCENARIO_TIMEOUT_MS }, async () => {
    const [steady, faulty, echo] = [fixture("./fixtures/runtime-steady.mjs"), fixture("./fixtures/runtime-faulty.mjs"), fixture("../runtime/fixtures/echo.mjs")];
    const copies = (apps = await appFolder([steady, faulty, echo]));
    const served = (group = await serveGroup(
      "storm",
      `  processes: 1
  threads: ${THREADS}
  requestTimeoutSeconds: 5
  threadMemoryLimitMegabytes: 64
  gracefulTimeoutSeconds: 5
  applications:
    - name: steady
      mount: /
      entry: ${copies.entry(steady)}
      applicationGroup: mixed
    - name: faulty
      mount: /faulty
      entry: ${copies.entry(faulty)}
      applicationGroup: mixed
    - name: echo
      mount: /echo
      entry: ${copies.entry(echo)}
`,
    ));
    const [pid] = served.servingPids();
    const options: SteadyLoadOptions = { url: served.url, paths: ["/?ms=5", "/echo/x"], keepAliveClients: 4, freshClients: 2 };
    const seed = Number(process.env["PROCESSGROUP_CHAOS_SEED"] ?? Date.now() % 1_000_000);
    const nextFault = faultPicker(seed);
    const sentFaults: Record<ThreadFault, number> = { throw: 0, exit: 0, oom: 0, loop: 0 };
    const wrong: string[] = [];
    const inject = async (fault: ThreadFault) => {
      sentFaults[fault] += 1;
      const status = await statusOfFresh(`${served.url}/faulty/${fault}`);
      if (status !== FAULT_STATUS[fault]) wrong.push(`${fault}: ${status === 0 ? "no answer" : status}`);
    };

    // Warm-up: load and one fault of each kind, so what the process starts lazily exists
    // before its threads and open files are counted, at rest.
    const atRest = async (): Promise<Rest> => {
      await capacityRecovered(served, TOTAL_THREADS, "/?ms=0", 8);
      await replaceEveryThread(served, copies, TOTAL_THREADS);
      await capacityRecovered(served, TOTAL_THREADS, "/?ms=0", 8);
      const status = warm ? await settledStatus(pid!, warm.processes[0]!) : await steadyStatus(pid!);
      return { processes: [status], mainHeapMb: await mainHeapMb(served) };
    };
    let warm: Rest | undefined;
    const warmUp = await soak(options, 1, async () => {
      for (const fault of Object.keys(FAULT_STATUS) as ThreadFault[]) await inject(fault);
    }, atRest);
    const baseline = (warm = warmUp.rests[0]!);

    const { report, rests } = await soak(options, SEGMENTS, async () => {
      const deadline = performance.now() + SEGMENT_SECONDS * 1000;
      let budget = QUICK_FAULTS;
      const more = () => (long ? performance.now() < deadline : budget-- > 0);
      await Promise.all(Array.from({ length: STORM_CLIENTS }, async () => {
        while (more()) await inject(nextFault());
      }));
    }, atRest);
    const burst = await capacityRecovered(served, TOTAL_THREADS, "/?ms=0", 2 * TOTAL_THREADS);
    const metrics = await served.metrics();
    const recycled = (reason: string) => seriesValue(metrics, "processgroup_thread_recycles_total", { reason });
    const faults = Object.values(sentFaults).reduce((a, b) => a + b, 0);
    const failed = failedRequests(report) + failedRequests(warmUp.report);
    reportFigures({
      scenario: `thread crash storm, 1 process x ${THREADS} threads x 2 groups`,
      load: describeLoad(options, report),
      faults: `${faults} faulty requests from ${STORM_CLIENTS} clients (seed ${seed}): ${JSON.stringify(sentFaults)}`,
      requests: report.sent + warmUp.report.sent + faults,
      failed: failed + wrong.length,
      lost: report.lost + warmUp.report.lost,
      notes: `well-behaved: ${report.sent + warmUp.report.sent} sent, ${failed} failed; faulty answered as expected: ${faults - wrong.length}/${faults}; at rest after warm-up ${describeRest(baseline)}, after each segment ${rests.map(describeRest).join("; ")}; errors: ${JSON.stringify([...report.errorSamples, ...warmUp.report.errorSamples, ...wrong])}`,
    });

    expect(wrong, `seed ${seed}`).toEqual([]);
    expect([...report.errorSamples, ...warmUp.report.errorSamples], `seed ${seed}`).toEqual([]);
    expect(failed).toBe(0);
    expect(report.lost + warmUp.report.lost).toBe(0);
    expect(served.servingPids()).toEqual([pid]);
    expect(served.spawned.logs.some((l) => l.msg === "a process died; starting it again")).toBe(false);
    expect(burst).toEqual(Array(2 * TOTAL_THREADS).fill(200));
    expect(recycled("crash")).toBe(sentFaults.throw + sentFaults.exit);
    expect(recycled("memory-limit")).toBe(sentFaults.oom);
    expect(recycled("request-timeout")).toBe(sentFaults.loop);
    // Every thread that left has been joined (none lingers, none is missing), no descriptor
    // outlives its thread or connection, and the runtime's own state does not grow.
    expect(leaks(baseline, rests)).toEqual([]);
  });
});
