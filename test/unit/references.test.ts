import { execFileSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { basename, join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

// Everything the code and the docs point at is in the repository: a comment that sends its
// reader to a page must name one they can open.
const root = fileURLToPath(new URL("../../", import.meta.url));
const tracked = execFileSync("git", ["ls-files"], { cwd: root, encoding: "utf8" }).split("\n").filter(Boolean);
const present = tracked.filter((f) => existsSync(join(root, f)));
const markdownNames = new Set(present.filter((f) => f.endsWith(".md")).map((f) => basename(f)));
const sources = present.filter((f) => /\.(ts|js|mjs|md|sh|yaml)$/.test(f) && !f.startsWith("node_modules/"));

describe("references", () => {
  it("every *.md a source file or doc names exists in the repository", () => {
    const missing = sources.flatMap((file) => {
      const text = readFileSync(join(root, file), "utf8");
      const named = [...text.matchAll(/(?<![\w/.-])((?:[\w-]+\/)*[A-Za-z][\w-]*\.md)\b/g)].map((m) => m[1]!);
      return named.filter((name) => !markdownNames.has(basename(name)) && !/^(CHANGELOG|CONTRIBUTING|SECURITY|LICENSE)\.md$/.test(basename(name))).map((name) => `${file}: ${name}`);
    });
    expect(missing).toEqual([]);
  });

  it("no file points outside the repository at a shared folder", () => {
    const outside = `..${"/"}shared`;
    expect(sources.filter((file) => readFileSync(join(root, file), "utf8").includes(outside))).toEqual([]);
  });
});
