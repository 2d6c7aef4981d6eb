import { describe, expect, it } from "vitest";
import { parseChildren, parseProcStat, parseSchedstatRunNanos } from "../../bench/runtime/proc-stat.ts";
import { servingLineOf } from "../../bench/runtime/readiness.ts";

describe("parseProcStat", () => {
  it("reads ppid, CPU ticks, start time and RSS after a command name with spaces and parentheses", () => {
    const line =
      "4242 (node (worker) 1) S 4200 4242 4200 0 -1 4194560 2615 0 0 0 150 25 0 0 30 10 12 0 987654 1103872000 25600 18446744073709551615 1 1 0 0 0 0 0 4096 134234626 0 0 0 17 1 0 0 0 0 0\n";
    expect(parseProcStat(line)).toEqual({ pid: 4242, ppid: 4200, cpuTicks: 175, startTicks: 987654, rssPages: 25600 });
  });

  it("refuses what is not a stat line", () => {
    expect(() => parseProcStat("")).toThrow(SyntaxError);
    expect(() => parseProcStat("12 (x) S notanumber")).toThrow(SyntaxError);
  });
});

describe("parseSchedstatRunNanos", () => {
  it("reads a thread's run time in nanoseconds", () => {
    expect(parseSchedstatRunNanos("286612970 315690009 939\n")).toBe(286612970);
  });

  it("refuses what is not a schedstat line", () => {
    expect(() => parseSchedstatRunNanos("")).toThrow(SyntaxError);
    expect(() => parseSchedstatRunNanos("-5 1 1")).toThrow(SyntaxError);
  });
});

describe("parseChildren", () => {
  it("reads a space-separated pid list, empty included", () => {
    expect(parseChildren("12 345 6789 ")).toEqual([12, 345, 6789]);
    expect(parseChildren("")).toEqual([]);
  });
});

describe("servingLineOf", () => {
  it("finds the port (and admin port) in the JSON line a server prints once it listens", () => {
    expect(servingLineOf('{"msg":"serving","port":8000}')).toEqual({ port: 8000 });
    expect(servingLineOf('{"level":30,"msg":"serving","port":8000,"adminPort":8001}')).toEqual({ port: 8000, adminPort: 8001 });
  });

  it("ignores other lines", () => {
    expect(servingLineOf('{"msg":"started","port":8000}')).toBeUndefined();
    expect(servingLineOf('{"msg":"serving","port":"8000"}')).toBeUndefined();
    expect(servingLineOf("serving on 8000")).toBeUndefined();
    expect(servingLineOf("{not json")).toBeUndefined();
  });
});
