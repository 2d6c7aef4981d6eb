import { describe, expect, it } from "vitest";
import { parseWrkOutput, socketErrorsOf, WrkOutputError } from "../../bench/runtime/wrk-result.ts";
import { wrkArgs } from "../../bench/runtime/wrk.ts";

// What wrk 4.1 prints with --latency and bench/runtime/wrk-report.lua.
const OUTPUT = `Running 2s test @ http://127.0.0.1:38511/hello
  1 threads and 32 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency     2.49ms    4.35ms  79.75ms   95.55%
    Req/Sec    17.77k     5.11k   26.12k    70.00%
  Latency Distribution
     50%    1.55ms
     75%    2.18ms
     90%    4.18ms
     99%   21.86ms
  35421 requests in 2.00s, 5.44MB read
  Non-2xx or 3xx responses: 3
Requests/sec:  17669.16
Transfer/sec:      2.71MB
WRK_RESULT {"requests":35421,"durationMicros":2004679,"bytes":5702781,"connectErrors":0,"readErrors":2,"writeErrors":1,"timeouts":4,"httpErrors":3,"p50Micros":1554,"p90Micros":4185,"p99Micros":21861,"maxMicros":79746}
`;

describe("parseWrkOutput", () => {
  it("reads the report line among wrk's own text", () => {
    const result = parseWrkOutput(OUTPUT);
    expect(result.requests).toBe(35421);
    expect(result.seconds).toBeCloseTo(2.004679, 6);
    expect(result.requestsPerSecond).toBeCloseTo(35421 / 2.004679, 6);
    expect(result.p50Ms).toBeCloseTo(1.554, 6);
    expect(result.p90Ms).toBeCloseTo(4.185, 6);
    expect(result.p99Ms).toBeCloseTo(21.861, 6);
    expect(result.maxMs).toBeCloseTo(79.746, 6);
    expect(result.httpErrors).toBe(3);
    expect(socketErrorsOf(result)).toBe(7);
  });

  it("refuses output without the report line, or with two", () => {
    expect(() => parseWrkOutput("Running 2s test @ http://127.0.0.1:1/\n")).toThrow(/found 0/);
    const line = OUTPUT.split("\n").find((l) => l.startsWith("WRK_RESULT"))!;
    expect(() => parseWrkOutput(`${line}\n${line}\n`)).toThrow(/found 2/);
  });

  it("refuses a report that is not JSON or not an object", () => {
    expect(() => parseWrkOutput("WRK_RESULT {requests: 1}\n")).toThrow(WrkOutputError);
    expect(() => parseWrkOutput("WRK_RESULT [1,2]\n")).toThrow(/object/);
  });

  it("refuses missing, negative, fractional or non-numeric fields, naming the field", () => {
    const report = (patch: Record<string, unknown>) =>
      `WRK_RESULT ${JSON.stringify({ requests: 1, durationMicros: 1e6, bytes: 0, connectErrors: 0, readErrors: 0, writeErrors: 0, timeouts: 0, httpErrors: 0, p50Micros: 1, p90Micros: 1, p99Micros: 1, maxMicros: 1, ...patch })}`;
    expect(parseWrkOutput(report({})).requestsPerSecond).toBe(1);
    expect(() => parseWrkOutput(report({ p99Micros: undefined }))).toThrow(/p99Micros/);
    expect(() => parseWrkOutput(report({ requests: -1 }))).toThrow(/requests/);
    expect(() => parseWrkOutput(report({ bytes: 1.5 }))).toThrow(/bytes/);
    expect(() => parseWrkOutput(report({ timeouts: "0" }))).toThrow(/timeouts/);
    expect(() => parseWrkOutput(report({ durationMicros: 0 }))).toThrow(/durationMicros/);
  });
});

describe("wrkArgs", () => {
  it("asks for latency percentiles and the report script, with the run's connections and time", () => {
    const args = wrkArgs({ url: "http://127.0.0.1:8000/hello", connections: 32, seconds: 2, threads: 1, timeoutSeconds: 10 });
    expect(args).toContain("--connections=32");
    expect(args).toContain("--duration=2s");
    expect(args).toContain("--threads=1");
    expect(args).toContain("--timeout=10s");
    expect(args).toContain("--latency");
    expect(args.some((a) => a.startsWith("--script=") && a.endsWith("wrk-report.lua"))).toBe(true);
    expect(args.at(-1)).toBe("http://127.0.0.1:8000/hello");
  });
});
