import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parseAllDocuments } from "yaml";
import { commands } from "../../bin/commands.ts";
import { helloApplications, processGroupYaml } from "../support/process-group-yaml.ts";
import { processgroup } from "./run-cli.ts";

const dir = mkdtempSync(join(tmpdir(), "pg-render-"));
function file(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

const group = processGroupYaml;
const apps = helloApplications;

function noStackTrace(text: string) {
  expect(text).not.toMatch(/^\s+at .+:\d+:\d+/m);
}

describe("processgroup render", () => {
  it("prints a Deployment, a Service and an Ingress as multi-document YAML", () => {
    const path = file("routed.yaml", group("site1", `  processes: 3\n  route:\n    host: example.com\n${apps}`));
    const { status, stdout } = processgroup(["render", "-f", path]);
    expect(status).toBe(0);
    const docs = parseAllDocuments(stdout).map((d) => d.toJS());
    expect(docs.map((d) => d.kind)).toEqual(["Deployment", "Service", "Ingress"]);
    expect(docs[0].spec.replicas).toBe(3);
    expect(stdout).not.toMatch(/[&*]a\d/); // no YAML anchors: people read this
  });

  it("renders every document of a multi-document file", () => {
    const path = file("two.yaml", `${group("one", apps)}---\n${group("two", `  processes: 2\n${apps}`)}`);
    const { status, stdout } = processgroup(["render", "-f", path]);
    expect(status).toBe(0);
    const deployments = parseAllDocuments(stdout).map((d) => d.toJS()).filter((d) => d.kind === "Deployment");
    expect(deployments.map((d) => [d.metadata.name, d.spec.replicas])).toEqual([["one", 1], ["two", 2]]);
  });

  it("reports each problem with its document and field path, and exits 1 without a stack trace", () => {
    const bad = group("two", `  threads: 0\n  processes: "two"\n  colour: blue\n  applications:\n    - name: a\n      mount: blog\n      entry: a.mjs\n    - name: b\n      mount: blog\n      entry: b.mjs\n`);
    const path = file("bad.yaml", `${group("one", apps)}---\n${bad}`);
    const { status, stdout, stderr } = processgroup(["render", "-f", path]);
    expect(status).toBe(1);
    expect(stdout).toBe("");
    const lines = stderr.trim().split("\n");
    expect(lines).toContain(`${path}: document 2: spec.threads: must be an integer >= 1`);
    expect(lines).toContain(`${path}: document 2: spec.processes: must be an integer >= 1`);
    expect(lines).toContain(`${path}: document 2: spec.colour: unknown field (not in the ProcessGroup schema)`);
    expect(lines).toContain(`${path}: document 2: spec.applications[0].mount: must be a URL path prefix starting with '/', such as / or /blog (no trailing '/')`);
    expect(lines.some((l) => l.includes("document 1"))).toBe(false);
    noStackTrace(stderr);
  });

  it("reports duplicate mounts and missing applications", () => {
    const dup = file("dup.yaml", group("dup", `  applications:\n    - {name: a, mount: /x, entry: a.mjs}\n    - {name: b, mount: /x, entry: b.mjs}\n`));
    expect(processgroup(["render", "-f", dup]).stderr).toContain("spec.applications[1].mount: mounts must be unique in the group");
    const none = file("none.yaml", group("none", "  threads: 2\n"));
    expect(processgroup(["render", "-f", none]).stderr).toContain("spec.applications: is required");
  });

  it("says so when the file is not YAML, is empty, or is missing", () => {
    const notYaml = processgroup(["render", "-f", file("not.yaml", "spec: [unclosed\n  threads: {")]);
    expect(notYaml.status).toBe(1);
    expect(notYaml.stderr).toMatch(/document 1: \(yaml\): /);
    noStackTrace(notYaml.stderr);
    expect(processgroup(["render", "-f", file("empty.yaml", "")]).stderr).toMatch(/no ProcessGroup in the file/);
    const missing = processgroup(["render", "-f", join(dir, "nope.yaml")]);
    expect(missing.status).toBe(1);
    expect(missing.stderr).toMatch(/cannot read the file \(ENOENT\)/);
  });

  it("refuses a missing -f and unknown flags with usage (exit 2)", () => {
    expect(processgroup(["render"]).status).toBe(2);
    const unknown = processgroup(["render", "--colour"]);
    expect(unknown.status).toBe(2);
    expect(unknown.stderr).toMatch(/Usage: processgroup render/);
  });
});

describe("processgroup --help", () => {
  it.each(commands.map((c) => c.name))("%s --help prints its usage and options", (name) => {
    const { status, stdout } = processgroup([name, "--help"]);
    expect(status).toBe(0);
    expect(stdout).toMatch(new RegExp(`^Usage: processgroup ${name}`));
    expect(stdout).toMatch(/-h, --help/);
  });

  it("lists every command", () => {
    const { status, stdout } = processgroup(["--help"]);
    expect(status).toBe(0);
    for (const c of commands) expect(stdout).toContain(c.name);
    expect(processgroup(["frobnicate"]).status).toBe(2);
  });

  it("crd prints the generated CRD", () => {
    expect(processgroup(["crd"]).stdout).toMatch(/name: processgroups\.processgroup\.dev/);
  });
});
