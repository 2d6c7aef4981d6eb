import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { z } from "zod";

// One Node parameter: the major of the `node` devDependency. `npm run images` passes it to
// the Dockerfile as NODE_MAJOR; the Dockerfile's default (what a plain `docker build` uses)
// and package.json's engines must say the same, or the image runs another Node than tests.
const root = fileURLToPath(new URL("../../", import.meta.url));
const packageJson = z
  .object({ engines: z.object({ node: z.string() }), devDependencies: z.object({ node: z.string() }) })
  .parse(JSON.parse(readFileSync(`${root}package.json`, "utf8")));
const devMajor = /^\D*(\d+)\./.exec(packageJson.devDependencies.node)?.[1];

describe("the Node major of the images", () => {
  it("is the Dockerfile's NODE_MAJOR default", () => {
    const dockerfile = readFileSync(`${root}Dockerfile`, "utf8");
    const defaults = [...dockerfile.matchAll(/^ARG NODE_MAJOR=(\d+)$/gm)].map((m) => m[1]);
    expect(devMajor).toMatch(/^\d+$/);
    expect(defaults).toEqual([devMajor]);
    // Every FROM of a Node base goes through the parameter.
    const nodeFroms = [...dockerfile.matchAll(/^FROM (node:\S+)/gm)].map((m) => m[1]);
    expect(nodeFroms.length).toBeGreaterThan(0);
    for (const from of nodeFroms) expect(from).toBe("node:${NODE_MAJOR}-bookworm-slim");
  });

  it("is what images/buildah.sh reads from package.json", () => {
    const major = execFileSync("bash", ["-c", `source images/buildah.sh && node_major .`], { cwd: root, encoding: "utf8" });
    expect(major.trim()).toBe(devMajor);
  });

  it("is within engines.node", () => {
    const [, low, high] = /^>=(\d+)\.\S*\s+<(\d+)$/.exec(packageJson.engines.node) ?? [];
    expect(Number(low)).toBeLessThanOrEqual(Number(devMajor));
    expect(Number(high)).toBeGreaterThan(Number(devMajor));
  });
});
