import { describe, expect, it } from "vitest";
import { parseWith, ProcessGroup, type FieldProblem } from "../../crds/index.ts";

const base = {
  apiVersion: "processgroup.dev/v1alpha1",
  kind: "ProcessGroup",
  metadata: { name: "site1" },
  spec: { applications: [{ name: "hello", mount: "/", entry: "apps/hello.mjs" }] },
};

function problems(spec: Record<string, unknown>, metadata: Record<string, unknown> = base.metadata): readonly FieldProblem[] {
  const result = parseWith(ProcessGroup, { ...base, metadata, spec: { ...base.spec, ...spec } });
  return result.ok ? [] : result.problems;
}

describe("the ProcessGroup schema", () => {
  it("accepts the minimal group and applies mod_wsgi's defaults", () => {
    const result = parseWith(ProcessGroup, base);
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.value.spec.threads).toBe(15);
    expect(result.value.spec.concurrency).toBe(1);
    expect(result.value.spec.processes).toBeUndefined();
    expect(result.value.spec.displayName).toBe("%{GROUP}");
    expect(result.value.spec.source).toEqual({ type: "Image", root: "/app" });
  });

  it.each([
    [{ threads: 0 }, "spec.threads", "must be an integer >= 1"],
    [{ threads: 2.5 }, "spec.threads", "must be an integer >= 1"],
    [{ threads: "many" }, "spec.threads", "must be an integer >= 1"],
    [{ processes: -1 }, "spec.processes", "must be an integer >= 1"],
    [{ concurrency: 0 }, "spec.concurrency", "must be an integer >= 1"],
    [{ concurrency: 1.5 }, "spec.concurrency", "must be an integer >= 1"],
    [{ concurrency: "64" }, "spec.concurrency", "must be an integer >= 1"],
    [{ maximumRequests: -1 }, "spec.maximumRequests", "must be an integer >= 0"],
    [{ applications: [] }, "spec.applications", "must list at least one application"],
    [{ applications: undefined }, "spec.applications", "is required"],
    [{ applications: [{ name: "a", mount: "blog", entry: "a.mjs" }] }, "spec.applications[0].mount", "must be a URL path prefix starting with '/', such as / or /blog (no trailing '/')"],
    [{ applications: [{ name: "a", mount: "/blog/", entry: "a.mjs" }] }, "spec.applications[0].mount", "must be a URL path prefix starting with '/', such as / or /blog (no trailing '/')"],
    [{ applications: [{ name: "A", mount: "/", entry: "a.mjs" }] }, "spec.applications[0].name", "must be a DNS label: lowercase letters, digits and '-', starting and ending with a letter or digit"],
    [{ applications: [{ name: "a", mount: "/" }] }, "spec.applications[0].entry", "is required"],
    [{ applications: [{ name: "a", mount: "/", entry: "a.mjs", applicationGroup: "%{RESOURCE}" }] }, "spec.applications[0].applicationGroup", "must be %{GLOBAL} or a DNS label"],
    [{ thread: 4 }, "spec.thread", "unknown field (not in the ProcessGroup schema)"],
    [{ env: [{ name: "PROCESSGROUP_THREADS", value: "1" }] }, "spec.env[0].name", "names starting with PROCESSGROUP_ are reserved for the operator-runtime contract"],
    [{ source: { type: "ConfigMap" } }, "spec.source.configMap", "configMap must be set exactly when type is ConfigMap"],
    [{ elastic: {} }, "spec.elastic.maxProcesses", "is required"],
    [{ elastic: { maxProcesses: 0 } }, "spec.elastic.maxProcesses", "must be an integer >= 1"],
    [{ elastic: { maxProcesses: 4, targetBusyPercent: 0 } }, "spec.elastic.targetBusyPercent", "must be an integer from 1 to 100"],
    [{ elastic: { maxProcesses: 4, targetBusyPercent: 101 } }, "spec.elastic.targetBusyPercent", "must be an integer from 1 to 100"],
    [{ elastic: { maxProcesses: 4, targetBusyPercent: 0.7 } }, "spec.elastic.targetBusyPercent", "must be an integer from 1 to 100"],
    [{ elastic: { maxProcesses: 4, scaleDownStabilizationSeconds: -1 } }, "spec.elastic.scaleDownStabilizationSeconds", "must be an integer >= 0"],
    [{ elastic: { maxProcesses: 4, minProcesses: 2 } }, "spec.elastic.minProcesses", "unknown field (not in the ProcessGroup schema)"],
    [{ processes: 5, elastic: { maxProcesses: 4 } }, "spec.processes", "processes is an elastic group's minimum (kubectl scale sets it) and must not exceed elastic.maxProcesses"],
    [{ resources: { limits: { cpu: "lots" } } }, "spec.resources.limits.cpu", "must be a Kubernetes quantity such as 500m or 256Mi"],
  ])("refuses %j at %s", (spec, path, message) => {
    expect(problems(spec)).toContainEqual({ path, message });
  });

  it("refuses duplicate mounts, naming the second one", () => {
    const applications = [
      { name: "a", mount: "/blog", entry: "a.mjs" },
      { name: "b", mount: "/blog", entry: "b.mjs" },
    ];
    expect(problems({ applications })).toEqual([{ path: "spec.applications[1].mount", message: "mounts must be unique in the group: two applications have the same mount" }]);
  });

  it("refuses a requires that contradicts mod_wsgi's rule, both ways", () => {
    const debuggerApp = { name: "debug", mount: "/", entry: "d.mjs", requires: { multiprocess: false } };
    expect(problems({ processes: 1, applications: [debuggerApp] })[0]?.path).toBe("spec.applications[0].requires.multiprocess");
    expect(problems({ applications: [debuggerApp] })).toEqual([]);
    const unsafe = { name: "unsafe", mount: "/", entry: "u.mjs", requires: { multithread: false } };
    expect(problems({ applications: [unsafe] })[0]?.message).toMatch(/multithread is true exactly when threads > 1 \(default 15\)/);
    expect(problems({ threads: 1, applications: [unsafe] })).toEqual([]);
  });

  it("gives elastic its defaults, and takes processes as its minimum", () => {
    const result = parseWith(ProcessGroup, { ...base, spec: { ...base.spec, processes: 2, elastic: { maxProcesses: 4 } } });
    expect(result.ok && result.value.spec.elastic).toEqual({ maxProcesses: 4, targetBusyPercent: 70, scaleDownStabilizationSeconds: 300 });
    expect(problems({ processes: 4, elastic: { maxProcesses: 4 } })).toEqual([]);
  });

  it("an elastic group is multiprocess: requires.multiprocess=false is refused", () => {
    const debuggerApp = { name: "debug", mount: "/", entry: "d.mjs", requires: { multiprocess: false } };
    expect(problems({ elastic: { maxProcesses: 2 }, applications: [debuggerApp] })[0]?.path).toBe("spec.applications[0].requires.multiprocess");
  });

  it("refuses a group name that cannot name a Service", () => {
    expect(problems({}, { name: "1site" })[0]?.path).toBe("metadata.name");
  });
});
