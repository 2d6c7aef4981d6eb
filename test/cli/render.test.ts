import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parseAllDocuments } from "yaml";
import { commands } from "../../bin/commands.ts";
import { helloApplications, processGroupYaml } from "../support/process-group-yaml.ts";
import { processgroup, repoRoot } from "./run-cli.ts";

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
  it("prints the pods' ServiceAccount, Role and RoleBinding, a Deployment, a Service and an Ingress as multi-document YAML", () => {
    const path = file("routed.yaml", group("site1", `  processes: 3\n  route:\n    host: example.com\n${apps}`));
    const { status, stdout } = processgroup(["render", "-f", path]);
    expect(status).toBe(0);
    const docs = parseAllDocuments(stdout).map((d) => d.toJS());
    expect(docs.map((d) => d.kind)).toEqual(["ServiceAccount", "Role", "RoleBinding", "Deployment", "Service", "Ingress"]);
    expect(docs[3].spec.replicas).toBe(3);
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

  it("refuses a missing -f, unknown flags and extra arguments in one line each (exit 2)", () => {
    const missing = processgroup(["render"]);
    expect(missing.status).toBe(2);
    expect(missing.stderr).toBe("processgroup render: -f FILE is required (a file, a folder of *.yaml files, or - for stdin) (see processgroup render --help)\n");
    const unknown = processgroup(["render", "--colour"]);
    expect(unknown.status).toBe(2);
    expect(unknown.stderr).toBe("processgroup render: unknown option '--colour' (see processgroup render --help)\n");
    const short = processgroup(["render", "-x"]);
    expect(short.stderr).toBe("processgroup render: unknown option '-x' (see processgroup render --help)\n");
    const extra = processgroup(["render", "-f", file("extra.yaml", group("extra", apps)), "more.yaml"]);
    expect(extra.status).toBe(2);
    expect(extra.stdout).toBe("");
    expect(extra.stderr).toBe("processgroup render: unexpected argument 'more.yaml' (see processgroup render --help)\n");
  });

  it("reads -f - from stdin, repeated -f in order, and a folder's *.yaml files", () => {
    const names = (stdout: string) => parseAllDocuments(stdout).map((d) => d.toJS()).filter((d) => d.kind === "Deployment").map((d) => d.metadata.name);
    const fromStdin = processgroup(["render", "-f", "-"], group("piped", apps));
    expect(fromStdin.status).toBe(0);
    expect(names(fromStdin.stdout)).toEqual(["piped"]);
    const repeated = processgroup(["render", "-f", file("r1.yaml", group("first", apps)), "-f", file("r2.yaml", group("second", apps))]);
    expect(names(repeated.stdout)).toEqual(["first", "second"]);
    const folder = mkdtempSync(join(tmpdir(), "pg-render-dir-"));
    writeFileSync(join(folder, "b.yaml"), group("bee", apps));
    writeFileSync(join(folder, "a.yml"), group("ay", apps));
    writeFileSync(join(folder, "notes.txt"), "not a group");
    const fromFolder = processgroup(["render", "-f", folder]);
    expect(fromFolder.status).toBe(0);
    expect(names(fromFolder.stdout)).toEqual(["ay", "bee"]);
    const emptyFolder = processgroup(["render", "-f", mkdtempSync(join(tmpdir(), "pg-render-empty-"))]);
    expect(emptyFolder.status).toBe(1);
    expect(emptyFolder.stderr).toMatch(/no \*\.yaml files in the folder\n$/);
  });

  it("warns when the threads' memory limits add up to more than the pod's memory limit", () => {
    const tight = file("tight.yaml", group("tight", `  threads: 4\n  threadMemoryLimitMegabytes: 128\n  resources:\n    limits:\n      memory: 256Mi\n${apps}`));
    const warned = processgroup(["render", "-f", tight]);
    expect(warned.status).toBe(0);
    expect(parseAllDocuments(warned.stdout).map((d) => d.toJS().kind)).toEqual(["ServiceAccount", "Role", "RoleBinding", "Deployment", "Service"]);
    expect(warned.stderr).toBe(
      `${tight}: warning: ProcessGroup tight: threadMemoryLimitMegabytes 128 x 4 threads x 1 application group = 512 MiB exceeds resources.limits.memory 256Mi (256 MiB): the pod can be OOM-killed before a thread reaches its own limit\n`,
    );
    const roomy = file("roomy.yaml", group("roomy", `  threads: 4\n  threadMemoryLimitMegabytes: 128\n  resources:\n    limits:\n      memory: 1Gi\n${apps}`));
    expect(processgroup(["render", "-f", roomy]).stderr).toBe("");
  });
});

describe("processgroup --help", () => {
  it.each(commands.map((c) => c.name))("%s --help prints its usage and options", (name) => {
    const { status, stdout } = processgroup([name, "--help"]);
    expect(status).toBe(0);
    expect(stdout).toMatch(new RegExp(`^Usage: processgroup ${name}`));
    expect(stdout).toMatch(/-h, --help/);
  });

  it("help COMMAND prints the command's help, and --version the version", () => {
    const help = processgroup(["help", "serve"]);
    expect(help.status).toBe(0);
    expect(help.stdout).toBe(processgroup(["serve", "--help"]).stdout);
    const unknown = processgroup(["help", "frobnicate"]);
    expect(unknown.status).toBe(2);
    expect(unknown.stderr).toBe("processgroup: unknown command 'frobnicate' (see processgroup --help)\n");
    const version = processgroup(["--version"]);
    expect(version.status).toBe(0);
    expect(version.stdout).toBe(`processgroup ${String((JSON.parse(readFileSync(join(repoRoot, "package.json"), "utf8")) as { version: string }).version)} (Node ${process.versions.node})\n`);
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
