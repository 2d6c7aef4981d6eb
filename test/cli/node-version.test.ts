import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const bin = fileURLToPath(new URL("../../bin/processgroup.js", import.meta.url));

/** Runs the bin with this Node, made to report another version before the bin's first line runs. */
function asIfNode(version: string) {
  const pretend = `data:text/javascript,Object.defineProperty(process,"versions",{value:{...process.versions,node:${JSON.stringify(version)}}})`;
  return spawnSync(process.execPath, ["--import", pretend, bin, "--version"], { encoding: "utf8" });
}

// The system Node of a machine set up with `npm ci` may be older than the one npm installs.
const systemNode = ["/usr/bin/node", "/usr/local/bin/node"].find((path) => {
  if (!existsSync(path)) return false;
  const major = Number(spawnSync(path, ["-p", "process.versions.node.split('.')[0]"], { encoding: "utf8" }).stdout.trim());
  return major > 0 && major < 24;
});

describe("processgroup on an older Node", () => {
  it.each(["20.20.2", "24.10.0", "18.0.0"])("Node %s gets one line naming the version it needs, and exit 1", (version) => {
    const { status, stdout, stderr } = asIfNode(version);
    expect(status).toBe(1);
    expect(stdout).toBe("");
    expect(stderr).toBe(`processgroup: needs Node >= 24.11, found ${version} (run it through npm, which uses the Node that \`npm ci\` installs: npx processgroup ...)\n`);
  });

  it.each(["24.11.0", "26.0.0"])("Node %s runs it", (version) => {
    const { status, stdout } = asIfNode(version);
    expect(status).toBe(0);
    expect(stdout).toMatch(/^processgroup \d+\.\d+\.\d+ /);
  });

  it.skipIf(systemNode === undefined)("the machine's own older Node, when it has one, gets the same line (skipped: no Node older than 24 installed)", () => {
    const { status, stderr } = spawnSync(systemNode!, [bin, "--version"], { encoding: "utf8" });
    expect(status).toBe(1);
    expect(stderr).toMatch(/^processgroup: needs Node >= 24\.11, found \d+\.\d+\.\d+ /);
    expect(stderr).not.toMatch(/ERR_UNKNOWN_FILE_EXTENSION/);
  });
});
