import { readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

// docs/architecture.md: crds <- operator, crds <- runtime; operator and runtime never import each
// other; no import cycles anywhere (Pepr's regret: 18 cycles, ten pull requests).
const root = fileURLToPath(new URL("../../", import.meta.url));
const parts = ["crds", "operator", "runtime"] as const;

function sourceFiles(dir: string): string[] {
  let entries: string[];
  try {
    entries = readdirSync(dir);
  } catch {
    return [];
  }
  return entries.flatMap((name) => {
    const path = join(dir, name);
    if (name === "node_modules") return [];
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return /\.(ts|mjs|js)$/.test(name) && !/\.test\.ts$/.test(name) ? [path] : [];
  });
}

function importsOf(file: string): string[] {
  const text = readFileSync(file, "utf8");
  const specifiers = [...text.matchAll(/(?:import|export)\s[^"';]*?from\s+["']([^"']+)["']|import\(\s*["']([^"']+)["']\s*\)/g)].map((m) => m[1] ?? m[2] ?? "");
  return specifiers.filter((s) => s.startsWith(".")).map((s) => resolve(dirname(file), s));
}

const partOf = (file: string) => relative(root, file).split("/")[0] ?? "";
const files = parts.flatMap((p) => sourceFiles(join(root, p)));
const graph = new Map(files.map((f) => [f, importsOf(f)]));

describe("architecture", () => {
  it("keeps dependencies pointing one way between crds, operator and runtime", () => {
    const allowed: Record<string, string[]> = { crds: ["crds"], operator: ["operator", "crds"], runtime: ["runtime", "crds"] };
    const wrong = [...graph].flatMap(([file, deps]) =>
      deps.filter((d) => parts.includes(partOf(d) as (typeof parts)[number]) && !allowed[partOf(file)]?.includes(partOf(d))).map((d) => `${relative(root, file)} -> ${relative(root, d)}`),
    );
    expect(wrong).toEqual([]);
  });

  it("has no import cycles", () => {
    const cycles: string[] = [];
    const state = new Map<string, "visiting" | "done">();
    const visit = (file: string, stack: string[]) => {
      if (state.get(file) === "done") return;
      if (state.get(file) === "visiting") {
        cycles.push([...stack.slice(stack.indexOf(file)), file].map((f) => relative(root, f)).join(" -> "));
        return;
      }
      state.set(file, "visiting");
      for (const dep of graph.get(file) ?? []) visit(dep, [...stack, file]);
      state.set(file, "done");
    };
    for (const file of graph.keys()) visit(file, []);
    expect(cycles).toEqual([]);
  });
});
