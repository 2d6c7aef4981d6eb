import { Writable } from "node:stream";
import { describe, expect, it } from "vitest";
import { createLogger as operatorLogger, defaultLogFormat } from "../../operator/src/observability/logger.ts";
import { createLogger as runtimeLogger, logFormatOf } from "../../runtime/src/observability/logger.ts";

function sink(): { stream: Writable; lines: () => Record<string, unknown>[] } {
  let text = "";
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      text += chunk.toString("utf8");
      done();
    },
  });
  return { stream, lines: () => text.trim().split("\n").map((l) => JSON.parse(l) as Record<string, unknown>) };
}

// docs/logging.md: the operator's and the runtime's lines share one schema.
describe("the log schema", () => {
  it("is the same for the operator, a runtime process and a serve supervisor", () => {
    const op = sink();
    const rt = sink();
    const sup = sink();
    operatorLogger("info", op.stream).warn({ name: "x" }, "hello");
    runtimeLogger("info", { processGroup: "site1" }, { component: "runtime", destination: rt.stream }).warn({ name: "x" }, "hello");
    runtimeLogger("info", { processGroup: "site1" }, { component: "supervisor", destination: sup.stream }).warn({ name: "x" }, "hello");
    const [o, r, s] = [op.lines()[0]!, rt.lines()[0]!, sup.lines()[0]!];
    const common = ["level", "time", "pid", "component", "msg"];
    for (const line of [o, r, s]) {
      expect(Object.keys(line)).toEqual(expect.arrayContaining(common));
      expect(line["level"]).toBe("warn");
      expect(line["pid"]).toBe(process.pid);
      expect(new Date(String(line["time"])).toISOString()).toBe(line["time"]);
    }
    expect([o["component"], r["component"], s["component"]]).toEqual(["operator", "runtime", "supervisor"]);
    expect([r["processGroup"], s["processGroup"]]).toEqual(["site1", "site1"]);
  });

  it("is JSON unless a terminal reads it or PROCESSGROUP_LOG_FORMAT says otherwise", () => {
    expect(logFormatOf({}, false)).toBe("json");
    expect(logFormatOf({}, true)).toBe("pretty");
    expect(logFormatOf({ PROCESSGROUP_LOG_FORMAT: "json" }, true)).toBe("json");
    expect(logFormatOf({ PROCESSGROUP_LOG_FORMAT: "pretty" }, false)).toBe("pretty");
    expect(logFormatOf({ PROCESSGROUP_LOG_FORMAT: "xml" }, false)).toBe("json");
    for (const [env, tty] of [[{}, false], [{}, true], [{ PROCESSGROUP_LOG_FORMAT: "json" }, true], [{ PROCESSGROUP_LOG_FORMAT: "pretty" }, false]] as const) {
      expect(defaultLogFormat(env, tty)).toBe(logFormatOf(env, tty));
    }
  });
});
