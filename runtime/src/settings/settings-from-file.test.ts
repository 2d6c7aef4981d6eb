import { describe, expect, it } from "vitest";
import { DEFAULT_LOCAL_OPTIONS } from "./settings-of.ts";
import { helloApplications, processGroupYaml } from "../../../test/support/process-group-yaml.ts";
import { groupFromFile } from "./settings-from-file.ts";

const doc = (name: string, spec: string) => `---\n${processGroupYaml(name, spec)}`;
const apps = helloApplications;

describe("groupFromFile", () => {
  it("resolves entries against the file's folder and follows mod_wsgi's flag rule", () => {
    const result = groupFromFile(doc("one", `  processes: 1\n  threads: 3\n  displayName: "web-%{GROUP}"\n${apps}`), "/srv/site/group.yaml", DEFAULT_LOCAL_OPTIONS);
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.processes).toBe(1);
    expect(result.settings).toMatchObject({ processGroup: "one", threads: 3, multiprocess: true, multithread: true, displayName: "web-one" });
    expect(result.settings.applications[0]).toMatchObject({ entry: "/srv/site/apps/hello.mjs", applicationGroup: "hello" });
  });

  it("gives multiprocess=false when processes is omitted, and mod_wsgi's defaults", () => {
    const result = groupFromFile(doc("solo", apps), "g.yaml", DEFAULT_LOCAL_OPTIONS);
    expect(result.ok && result.settings).toMatchObject({ threads: 15, multiprocess: false, multithread: true, gracefulTimeoutSeconds: 15, listenBacklog: 100 });
  });

  it("carries spec.concurrency, 1 when omitted", () => {
    expect(groupFromFile(doc("solo", apps), "g.yaml", DEFAULT_LOCAL_OPTIONS)).toMatchObject({ ok: true, settings: { concurrency: 1 } });
    expect(groupFromFile(doc("async", `  concurrency: 64\n${apps}`), "g.yaml", DEFAULT_LOCAL_OPTIONS)).toMatchObject({ ok: true, settings: { concurrency: 64 } });
    expect(groupFromFile(doc("bad", `  concurrency: 0\n${apps}`), "g.yaml", DEFAULT_LOCAL_OPTIONS)).toEqual({ ok: false, errors: ["g.yaml: document 1: spec.concurrency: must be an integer >= 1"] });
  });

  it("picks a group by name, and asks for one when the file has several", () => {
    const text = doc("a", apps) + doc("b", `  threads: 1\n${apps}`);
    expect(groupFromFile(text, "g.yaml", DEFAULT_LOCAL_OPTIONS, "b")).toMatchObject({ ok: true, settings: { processGroup: "b", multithread: false } });
    expect(groupFromFile(text, "g.yaml", DEFAULT_LOCAL_OPTIONS)).toEqual({ ok: false, errors: ["g.yaml: 2 ProcessGroups in the file; name one with --name (a, b)"] });
    expect(groupFromFile(text, "g.yaml", DEFAULT_LOCAL_OPTIONS, "c")).toEqual({ ok: false, errors: ["g.yaml: no ProcessGroup named c"] });
  });

  it("reports each problem with its document and field path", () => {
    const result = groupFromFile(doc("bad", "  threads: 0\n  applications: []\n"), "g.yaml", DEFAULT_LOCAL_OPTIONS);
    expect(result).toEqual({ ok: false, errors: ["g.yaml: document 1: spec.threads: must be an integer >= 1", "g.yaml: document 1: spec.applications: must list at least one application"] });
  });
});
