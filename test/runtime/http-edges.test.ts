import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { rawExchange, rawExchangeEnding, statusLineOf } from "./support/raw-http.ts";
import { seriesValue } from "./support/metrics.ts";
import { sleep, startGroup, type RunningGroup } from "./support/harness.ts";

// What reaches the server that no app should ever see: bad HTTP gets a 4xx, never a crash.
// Both ways requests reach a thread parse HTTP: the main thread's front (request dispatch),
// or node:http in each thread on the connections it was handed (connection dispatch).
describe.each(["request", "connection"] as const)("bad and slow clients, %s dispatch", (dispatch) => {
  let group: RunningGroup;
  beforeAll(async () => {
    group = await startGroup(
      { threads: 1, applications: [{ name: "work", mount: "/", entry: "work.mjs", applicationGroup: "edges" }, { name: "echo", mount: "/echo", entry: "echo.mjs", applicationGroup: "edges" }] },
      { http: { maxHeaderSize: 4096, headersTimeoutMs: 600, requestTimeoutMs: 1500 }, accessLog: true, dispatch },
    );
    expect(group.runtime.dispatch).toBe(dispatch);
  });
  afterAll(() => group.stop());

  it("answers 400 to malformed HTTP", async () => {
    expect(statusLineOf(await rawExchange(group.port, ["GARBAGE\r\n\r\n"]))).toBe("HTTP/1.1 400 Bad Request");
    expect(statusLineOf(await rawExchange(group.port, ["GET / HTTP/1.1\r\nHost: x\r\nContent-Length: nope\r\n\r\n"]))).toBe("HTTP/1.1 400 Bad Request");
    expect(statusLineOf(await rawExchange(group.port, ["GET / HTTP/1.1\r\nHost: x\r\nBad Header\r\n\r\n"]))).toBe("HTTP/1.1 400 Bad Request");
  });

  it("answers 431 to oversize headers", async () => {
    const response = await rawExchange(group.port, [`GET / HTTP/1.1\r\nHost: x\r\nX-Big: ${"a".repeat(8000)}\r\n\r\n`]);
    expect(statusLineOf(response)).toBe("HTTP/1.1 431 Request Header Fields Too Large");
  });

  it("answers 408 to a client too slow to send its head", async () => {
    const response = await rawExchange(group.port, ["GET / HTTP/1.1\r\nHost: x\r\n", "X-Late: 1\r\n\r\n"], { pauseMs: 3000 });
    expect(statusLineOf(response)).toBe("HTTP/1.1 408 Request Timeout");
  });

  it("cuts a client too slow to send its body, and frees the thread it held", async () => {
    // The body never completes: only the request timeout (1.5 s) ends the exchange before the client gives up.
    const ending = await rawExchangeEnding(group.port, ["POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n0123456789", "rest"], { pauseMs: 4000, timeoutMs: 8000 });
    expect(ending.byServer).toBe(true);
    expect(statusLineOf(ending.received)).toMatch(/^(HTTP\/1.1 408 Request Timeout)?$/);
    expect((await group.get("/echo")).status).toBe(200);
  });

  it("frees the thread of a client that goes away mid-request", async () => {
    const aborter = new AbortController();
    const gone = group.get("/sleep?ms=5000", { signal: aborter.signal }).catch((e: unknown) => e);
    await sleep(300);
    aborter.abort();
    await gone;
    const started = performance.now();
    expect((await group.get("/sleep?ms=10")).status).toBe(200);
    expect(performance.now() - started).toBeLessThan(4000);
  });

  it("answers requests pipelined ahead of a malformed one, then 400, never in their place or inside their bodies", async () => {
    const responses = (text: string) => [...text.matchAll(/HTTP\/1\.1 (\d{3}) /g)].map((m) => Number(m[1]));
    const twoThenGarbage = await rawExchange(group.port, ["GET /sleep?ms=200 HTTP/1.1\r\nHost: x\r\n\r\nGET /echo HTTP/1.1\r\nHost: x\r\n\r\nGARBAGE\r\n\r\n"]);
    expect(responses(twoThenGarbage)).toEqual([200, 200, 400]);
    // The malformed request arrives while the first response is being written.
    const slow = await rawExchange(group.port, ["GET /sleep?ms=600 HTTP/1.1\r\nHost: x\r\n\r\n", "GARBAGE\r\n\r\n"], { pauseMs: 300 });
    expect(responses(slow)).toEqual([200, 400]);
    expect(slow.endsWith("HTTP/1.1 400 Bad Request\r\nConnection: close\r\nContent-Length: 0\r\n\r\n")).toBe(true);
  });

  it("counts client errors and logs an access line per request", async () => {
    const metrics = await (await fetch(`${group.adminUrl}/metrics`)).text();
    expect(seriesValue(metrics, "processgroup_client_errors_total", { status: "400" })).toBeGreaterThanOrEqual(3);
    expect(seriesValue(metrics, "processgroup_client_errors_total", { status: "431" })).toBe(1);
    const line = group.logs.find((l) => l.msg === "request" && l["url"] === "/sleep?ms=10");
    expect(line).toMatchObject({ method: "GET", status: 200, application: "work" });
  });
});
