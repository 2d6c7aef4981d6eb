import fc from "fast-check";
import type { Socket } from "node:net";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { seriesValue } from "../runtime/support/metrics.ts";
import { chaosMode, reportFigures } from "./support/figures.ts";
import { describeLoad, failedRequests, type SteadyLoadOptions } from "./support/runtime-load.ts";
import { malformedRequest } from "./support/runtime-malformed.ts";
import { rawConnection, statusesOf, untilReceived, type RawOutcome } from "./support/runtime-raw.ts";
import { SCENARIO_TIMEOUT_MS, repeatFor } from "./support/runtime-rollout.ts";
import { appFolder, replaceEveryThread, type AppFolder } from "./support/runtime-apps.ts";
import { describeRest, leaks, SEGMENTS, SEGMENT_SECONDS, soak, type Rest } from "./support/runtime-soak.ts";
import { capacityRecovered, mainHeapMb, serveGroup, settledStatus, steadyStatus, type ServedGroup } from "./support/runtime-served.ts";
import { FaultTally } from "./support/runtime-tally.ts";

const fixture = (path: string) => fileURLToPath(new URL(path, import.meta.url));
const long = chaosMode() === "long";
/** Each round's counts; the long form runs rounds for SEGMENT_SECONDS in each of its SEGMENTS. */
const MALFORMED_RUNS = 150;
const SLOWLORIS = 40;
const EACH = 8;
const THREADS = 4;
const TOTAL_THREADS = 2 * THREADS;
const MB = 1024 * 1024;

let group: ServedGroup | undefined;
let apps: AppFolder | undefined;
afterAll(async () => {
  await group?.stop();
  await apps?.remove();
});

const head = (request: string) => `${request} HTTP/1.1\r\nHost: x\r\n`;
const isClientError = (status: number | undefined) => status !== undefined && status >= 400 && status < 500;
/** undefined when the connection got `statuses` and was closed by the server; else what happened. */
const expectAnswers = (outcome: RawOutcome, statuses: readonly number[]) => {
  const got = statusesOf(outcome.received);
  return JSON.stringify(got) === JSON.stringify(statuses) && outcome.ending === "closed" ? undefined : `got ${JSON.stringify(got)}, ${outcome.ending}`;
};

/** Slow clients: a head that never ends, one header line a second, until the server gives up on them. */
async function slowloris(port: number, tally: FaultTally): Promise<void> {
  await Promise.all(
    Array.from({ length: SLOWLORIS }, async () => {
      const outcome = await rawConnection(port, {
        send: [head("GET /echo/slow")],
        timeoutMs: 60_000,
        async then(socket) {
          while (!socket.destroyed && socket.writable) {
            await new Promise((r) => setTimeout(r, 1_000));
            if (!socket.destroyed && socket.writable) socket.write("X-Drip: 1\r\n");
          }
        },
      });
      tally.record("slowloris", expectAnswers(outcome, [408]));
    }),
  );
}

async function malformed(port: number, tally: FaultTally, seed: number): Promise<void> {
  await fc.assert(
    fc.asyncProperty(malformedRequest, async ({ defect, text }) => {
      const outcome = await rawConnection(port, { send: [Buffer.from(text, "latin1")] });
      const status = statusesOf(outcome.received)[0];
      const problem = isClientError(status) && outcome.ending === "closed" ? undefined : `${defect}: got ${status ?? "no answer"}, ${outcome.ending} for ${JSON.stringify(text.slice(0, 120))}`;
      tally.record("malformed request", problem);
      return problem === undefined;
    }),
    { seed, numRuns: MALFORMED_RUNS },
  );
}

async function headerFloods(port: number, tally: FaultTally): Promise<void> {
  const headers = (n: number) => Array.from({ length: n }, (_, i) => `X-H${i}: v\r\n`).join("");
  for (let i = 0; i < EACH; i++) {
    const [many, within, giant] = await Promise.all([
      rawConnection(port, { send: [`${head("GET /echo/flood")}${headers(3000)}\r\n`] }),
      rawConnection(port, { send: [`${head("GET /echo/flood")}${headers(200)}Connection: close\r\n\r\n`] }),
      rawConnection(port, { send: [`${head("GET /echo/flood")}X-Giant: ${"g".repeat(MB)}\r\n\r\n`] }),
    ]);
    tally.record("3000 headers", expectAnswers(many!, [431]));
    tally.record("200 headers within the limit", expectAnswers(within!, [200]));
    tally.record("1 MiB header line", expectAnswers(giant!, [431]));
  }
}

async function bodies(port: number, tally: FaultTally): Promise<void> {
  const post = (path: string, length: number) => `POST ${path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Length: ${length}\r\n\r\n`;
  const bytes = (n: number) => Buffer.alloc(n, 98);
  for (let i = 0; i < EACH / 2; i++) {
    const read = await rawConnection(port, { send: [post("/count/read", 16 * MB), bytes(16 * MB)], timeoutMs: 60_000 });
    tally.record("16 MiB body, read", expectAnswers(read, [200]) ?? (read.received.includes(`"bodyLength":${16 * MB}`) ? undefined : "wrong length"));
    // The app answers without reading; the runtime drops the rest of the body, and the
    // client, once it has its answer, closes.
    const ignored = await rawConnection(port, {
      send: [post("/slow/?ms=5", 32 * MB).replace("Connection: close\r\n", ""), bytes(32 * MB)],
      then: async (socket, received) => (await untilReceived(received, (text) => text.endsWith("\n")), void socket.end()),
      timeoutMs: 60_000,
    });
    tally.record("32 MiB body, ignored", expectAnswers(ignored, [200]));
    // Declares a gigabyte, sends 8 MiB, and stops sending (FIN): the runtime may answer 4xx or close.
    const truncated = await rawConnection(port, { send: [post("/count/read", 1024 * MB), bytes(8 * MB)], then: async (socket) => void socket.end(), timeoutMs: 60_000 });
    const truncatedStatus = statusesOf(truncated.received)[0];
    tally.record("1 GiB declared, 8 MiB sent, then FIN", truncated.ending === "closed" && (truncatedStatus === undefined || isClientError(truncatedStatus)) ? undefined : `got ${truncatedStatus}, ${truncated.ending}`);
    await rawConnection(port, { send: [post("/count/read", 1024 * MB), bytes(8 * MB)], then: async (socket) => (socket.resetAndDestroy(), "cut") });
    tally.record("1 GiB declared, 8 MiB sent, then RST", undefined);
  }
}

async function disconnects(port: number, tally: FaultTally): Promise<void> {
  const gotBody = (text: string) => text.includes("chunk 0");
  await Promise.all(
    Array.from({ length: EACH }, async () => {
      // Before any answer: the app is still working on it.
      await rawConnection(port, { send: [`${head("GET /slow/?ms=3000")}\r\n`], then: async () => (await new Promise((r) => setTimeout(r, 200)), "cut") });
      tally.record("gone before the answer", undefined);
      // Mid-request: half of a declared body, then FIN, or RST.
      await rawConnection(port, { send: [`${head("POST /count/half")}Content-Length: ${4 * MB}\r\n\r\n`, Buffer.alloc(2 * MB)], then: async () => "cut" });
      tally.record("gone mid-body (FIN)", undefined);
      await rawConnection(port, { send: [`${head("POST /count/half")}Content-Length: ${4 * MB}\r\n\r\n`, Buffer.alloc(2 * MB)], then: async (socket) => (socket.resetAndDestroy(), "cut") });
      tally.record("gone mid-body (RST)", undefined);
      // Mid-response: after the first chunk of a long stream, FIN, or RST.
      for (const [kind, cut] of [["gone mid-response (FIN)", (s: Socket) => s.destroy()], ["gone mid-response (RST)", (s: Socket) => s.resetAndDestroy()]] as const) {
        const outcome = await rawConnection(port, {
          send: [`${head("GET /stream?chunks=500&gap=10")}\r\n`],
          then: async (socket, received) => (await untilReceived(received, gotBody), cut(socket), "cut"),
        });
        tally.record(kind, gotBody(outcome.received) ? undefined : "no first chunk");
      }
    }),
  );
}

async function pipelining(port: number, tally: FaultTally): Promise<void> {
  const get = (path: string) => `${head(`GET ${path}`)}\r\n`;
  for (let i = 0; i < EACH; i++) {
    const twenty = Array.from({ length: 20 }, (_, n) => get(`/echo/p${n}`)).join("") + `${head("GET /echo/last")}Connection: close\r\n\r\n`;
    const inOrder = await rawConnection(port, { send: [twenty] });
    const paths = [...inOrder.received.matchAll(/"path":"([^"]+)"/g)].map((m) => m[1]);
    tally.record("21 pipelined GETs", expectAnswers(inOrder, Array(21).fill(200)) ?? (paths.join() === [...Array.from({ length: 20 }, (_, n) => `/echo/p${n}`), "/echo/last"].join() ? undefined : "out of order"));
    const broken = await rawConnection(port, { send: [get("/slow/?ms=50") + get("/echo/a") + "GARBAGE\r\n\r\n" + get("/echo/never")] });
    tally.record("pipelined GETs, then garbage", expectAnswers(broken, [200, 200, 400]));
    const withBodies = await rawConnection(port, { send: [get("/echo/a") + `${head("POST /echo/b")}Content-Length: 10\r\n\r\n0123456789` + `${head("GET /echo/c")}Connection: close\r\n\r\n`] });
    tally.record("pipelined with a body between", expectAnswers(withBodies, [200, 200, 200]));
    // A client that half-closes is taken as gone (as node's server does): its requests may
    // go unanswered, but the connection closes cleanly, never with a 5xx or a reset.
    const halfClosed = await rawConnection(port, { send: [get("/echo/a") + get("/slow/?ms=100")], then: async (socket) => void socket.end() });
    const halfClosedStatuses = statusesOf(halfClosed.received);
    tally.record("pipelined, then FIN", halfClosed.ending === "closed" && halfClosedStatuses.every((s) => s === 200) ? undefined : `got ${JSON.stringify(halfClosedStatuses)}, ${halfClosed.ending}`);
  }
}

// Bad, slow, greedy and vanishing clients hit one runtime process while well-behaved
// clients keep asking it for work: each bad client gets a 4xx or a clean close, the
// well-behaved ones lose nothing, and the process lives on with every thread free again.
describe("malformed and abusive HTTP under load", () => {
  it("answers 4xx or closes cleanly, and keeps serving everyone else", { timeout: SCENARIO_TIMEOUT_MS }, async () => {
    const [steady, count, echo, stream] = [fixture("./fixtures/runtime-steady.mjs"), fixture("./fixtures/runtime-count.mjs"), fixture("../runtime/fixtures/echo.mjs"), fixture("../runtime/fixtures/stream.mjs")];
    const copies = (apps = await appFolder([steady, count, echo, stream]));
    const served = (group = await serveGroup(
      "rough",
      `  processes: 1
  threads: ${THREADS}
  applications:
    - name: steady
      mount: /
      entry: ${copies.entry(steady)}
    - name: slow
      mount: /slow
      entry: ${copies.entry(steady)}
      applicationGroup: targets
    - name: count
      mount: /count
      entry: ${copies.entry(count)}
      applicationGroup: targets
    - name: echo
      mount: /echo
      entry: ${copies.entry(echo)}
      applicationGroup: targets
    - name: stream
      mount: /stream
      entry: ${copies.entry(stream)}
      applicationGroup: targets
`,
    ));
    const [pid] = served.servingPids();
    const { port } = served;
    const options: SteadyLoadOptions = { url: served.url, paths: ["/?ms=5", "/echo/x"], keepAliveClients: 4, freshClients: 1 };
    const seed = Number(process.env["PROCESSGROUP_CHAOS_SEED"] ?? Date.now() % 1_000_000);
    const tally = new FaultTally();
    let rounds = 0;
    const round = async () => {
      const slow = slowloris(port, tally);
      await malformed(port, tally, seed + rounds);
      await headerFloods(port, tally);
      await bodies(port, tally);
      await disconnects(port, tally);
      await pipelining(port, tally);
      await slow;
      rounds += 1;
    };
    let warm: Rest | undefined;
    const atRest = async (): Promise<Rest> => {
      await capacityRecovered(served, TOTAL_THREADS, "/?ms=0", 8);
      await replaceEveryThread(served, copies, TOTAL_THREADS);
      await capacityRecovered(served, TOTAL_THREADS, "/?ms=0", 8);
      const status = warm ? await settledStatus(pid!, warm.processes[0]!) : await steadyStatus(pid!);
      return { processes: [status], mainHeapMb: await mainHeapMb(served) };
    };
    // Warm-up: the well-behaved load alone, then the process at rest is the baseline.
    const warmUp = await soak(options, 1, async () => {}, atRest);
    const baseline = (warm = warmUp.rests[0]!);
    const { report, rests } = await soak(options, SEGMENTS, async () => void (long ? await repeatFor(SEGMENT_SECONDS, round) : await round()), atRest);
    const burst = await capacityRecovered(served, TOTAL_THREADS, "/?ms=0", 2 * TOTAL_THREADS);
    const metrics = await served.metrics();
    const failed = failedRequests(report) + failedRequests(warmUp.report);
    reportFigures({
      scenario: `malformed and abusive HTTP, 1 process x ${THREADS} threads x 2 groups`,
      load: describeLoad(options, report),
      faults: `${tally.total} bad connections in ${rounds} round(s) (fast-check seed ${seed}): ${tally.describe()}`,
      requests: report.sent + warmUp.report.sent + tally.total,
      failed: failed + tally.wrong.length,
      lost: report.lost + warmUp.report.lost,
      notes: `well-behaved: ${report.sent + warmUp.report.sent} sent, ${failed} failed; bad clients answered as owed: ${tally.total - tally.wrong.length}/${tally.total}; client errors counted ${seriesValue(metrics, "processgroup_client_errors_total")}, 499s ${seriesValue(metrics, "processgroup_requests_total", { status: "499" })}; at rest after warm-up ${describeRest(baseline)}, after each segment ${rests.map(describeRest).join("; ")}; errors: ${JSON.stringify([...report.errorSamples, ...tally.wrong].slice(0, 20))}`,
    });

    expect(tally.wrong, `seed ${seed}`).toEqual([]);
    expect([...report.errorSamples, ...warmUp.report.errorSamples]).toEqual([]);
    expect(failed).toBe(0);
    expect(report.lost + warmUp.report.lost).toBe(0);
    expect(served.servingPids()).toEqual([pid]);
    expect(served.spawned.logs.some((l) => l.msg === "a process died; starting it again")).toBe(false);
    expect(burst).toEqual(Array(2 * TOTAL_THREADS).fill(200));
    expect(leaks(baseline, rests)).toEqual([]);
  });
});
