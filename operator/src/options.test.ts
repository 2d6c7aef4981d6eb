import { describe, expect, test } from "vitest";
import { parseOperatorFlags } from "./options.ts";

describe("operator flags", () => {
  test("defaults: all namespaces, leader election on, port 8081", () => {
    const result = parseOperatorFlags({});
    expect(result).toMatchObject({ ok: true, flags: { namespaces: [], concurrency: 4, "metrics-port": 8081, "leader-elect": true, "lease-name": "processgroup-operator", "log-level": "info" } });
  });

  test("namespaces may be repeated or comma-separated", () => {
    expect(parseOperatorFlags({ namespaces: ["a,b", "c"] })).toMatchObject({ ok: true, flags: { namespaces: ["a", "b", "c"] } });
  });

  test("a bad value names its flag", () => {
    expect(parseOperatorFlags({ concurrency: "0" })).toEqual({ ok: false, message: "--concurrency: must be an integer >= 1" });
    expect(parseOperatorFlags({ "leader-elect": "maybe" })).toEqual({ ok: false, message: "--leader-elect: must be true or false" });
    expect(parseOperatorFlags({ "log-level": "loud" })).toMatchObject({ ok: false });
  });

  test("lease timings must nest: retry < renew deadline < lease duration", () => {
    expect(parseOperatorFlags({ "renew-deadline": "20" })).toMatchObject({ ok: false, message: expect.stringContaining("--renew-deadline") });
    expect(parseOperatorFlags({ "retry-period": "10" })).toMatchObject({ ok: false, message: expect.stringContaining("--retry-period") });
  });
});
