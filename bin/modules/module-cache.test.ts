import { spawnSync } from "node:child_process";
import { chownSync, existsSync, mkdtempSync, readdirSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { cachedJavaScript, fillCache } from "./module-cache.mjs";

const typed = "export function twice(n: number): number {\n  return n * 2;\n}\n";

describe("the stripped-module cache", () => {
  it("strips what it lacks in another process, keeps lines where they were, and strips a file again only when it changed", () => {
    const dir = mkdtempSync(join(tmpdir(), "module-cache-"));
    const file = join(dir, "twice.ts");
    writeFileSync(file, typed);
    const cache = join(dir, "cache");
    expect(cachedJavaScript(typed, cache)).toBeUndefined();
    expect(fillCache([file], cache)).toBe(1);
    const code = cachedJavaScript(typed, cache);
    expect(code).toContain("export function twice(n        )");
    expect(code?.split("\n").length).toBe(typed.split("\n").length);
    expect(fillCache([file], cache)).toBe(0);
    writeFileSync(file, typed.replace("2", "3"));
    expect(fillCache([file], cache)).toBe(1);
    expect(readdirSync(cache).filter((f) => f.endsWith(".js"))).toHaveLength(2);
  });

  it("drops entries nobody read for 30 days and abandoned partial writes when it strips", () => {
    const dir = mkdtempSync(join(tmpdir(), "module-cache-"));
    const cache = join(dir, "cache");
    const file = join(dir, "twice.ts");
    writeFileSync(file, typed);
    fillCache([file], cache);
    const [kept] = readdirSync(cache);
    const old = new Date(Date.now() - 31 * 24 * 3600 * 1000);
    for (const name of ["unused.js", "recent.js", "dead.js.123.partial"]) writeFileSync(join(cache, name), "");
    utimesSync(join(cache, "unused.js"), old, old);
    utimesSync(join(cache, "dead.js.123.partial"), old, old);
    writeFileSync(file, typed.replace("2", "4"));
    expect(fillCache([file], cache)).toBe(1);
    expect(["unused.js", "recent.js", "dead.js.123.partial", kept!].map((name) => existsSync(join(cache, name)))).toEqual([false, true, false, true]);
  });

  it("leaves a file it cannot parse to Node's own loader, which reports it as always", () => {
    const dir = mkdtempSync(join(tmpdir(), "module-cache-"));
    const broken = "export const a: number = ;\n";
    writeFileSync(join(dir, "broken.ts"), broken);
    fillCache([join(dir, "broken.ts")], join(dir, "cache"));
    expect(cachedJavaScript(broken, join(dir, "cache"))).toBeUndefined();
  });

  // Node loads its TypeScript stripper (amaro, about 16 MB) into a process on its first .ts
  // module. A process of the CLI that loads the runtime and strips an app's modules for its
  // worker threads must not, unless the cache is off.
  it("keeps the stripper out of a process that loads the runtime and a TypeScript app, unless turned off", () => {
    const dir = mkdtempSync(join(tmpdir(), "module-cache-"));
    const app = join(dir, "app.ts");
    writeFileSync(app, `import { twice } from "./twice.ts";\nexport default (req: unknown, res: { end(s: string): void }) => res.end(String(twice(2)));\n`);
    writeFileSync(join(dir, "twice.ts"), typed);
    const here = (path: string) => new URL(path, import.meta.url).href;
    const script = [
      `const { prepareModuleCache } = await import(${JSON.stringify(here("./module-cache.mjs"))});`,
      "prepareModuleCache();",
      `const { workerSources } = await import(${JSON.stringify(here("../../runtime/src/threads/worker-sources.ts"))});`,
      `const sources = workerSources([${JSON.stringify(app)}]);`,
      "console.log(JSON.stringify({ modules: Object.keys(sources).length, stripper: process.moduleLoadList.some((m) => m.includes('amaro')) }));",
    ].join("\n");
    const run = (cache: string) => {
      const result = spawnSync(process.execPath, ["--input-type=module", "-e", script], { encoding: "utf8", env: { ...process.env, PROCESSGROUP_MODULE_CACHE: cache }, cwd: fileURLToPath(here("../../")) });
      expect(result.stderr).toBe("");
      return JSON.parse(result.stdout) as { modules: number; stripper: boolean };
    };
    expect(run(join(dir, "cache"))).toEqual({ modules: 2, stripper: false });
    expect(run("off")).toEqual({ modules: 2, stripper: true });
  });

  // A pod's user (runAsUser 10001) has no passwd entry, and the image's folders are not its
  // own: the cache goes to the temporary folder, found without os.userInfo(), which throws there.
  const canSwitchUser = process.getuid?.() === 0 && spawnSync("setpriv", ["--version"]).status === 0;
  it.skipIf(!canSwitchUser)("serves a user with no passwd entry from the temporary folder (skipped unless root with setpriv)", () => {
    const uid = 10_777;
    const tmp = mkdtempSync(join(tmpdir(), "module-cache-user-"));
    chownSync(tmp, uid, uid);
    const bin = fileURLToPath(new URL("../processgroup.js", import.meta.url));
    const result = spawnSync("setpriv", [`--reuid=${uid}`, `--regid=${uid}`, "--clear-groups", process.execPath, bin, "--version"], { encoding: "utf8", env: { ...process.env, TMPDIR: tmp, PROCESSGROUP_MODULE_CACHE: "" } });
    expect(result.stderr).toBe("");
    expect(result.stdout).toMatch(/^processgroup \S+ \(Node /);
    expect(readdirSync(join(tmp, `processgroup-modules-${uid}`)).filter((f) => f.endsWith(".js")).length).toBeGreaterThan(100);
  });
});
