import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FIXTURES, startGroup, type RunningGroup } from "./support/harness.ts";

// An app that cannot load: the log says exactly what and where; a client learns nothing of
// the server's insides (no stack, no paths).
const broken = [
  { name: "throws", entry: "broken.mjs", where: /broken\.mjs:1\b/ },
  { name: "syntax", entry: "syntax-error.mjs", where: /syntax-error\.mjs:2\b/ },
  { name: "nested", entry: "imports-syntax-error.mjs", where: /nested-syntax-error\.mjs:2\b/ },
  { name: "missing", entry: "no-such-entry.mjs", where: /no-such-entry\.mjs/ },
];

describe("apps that fail to load", () => {
  let group: RunningGroup;
  beforeAll(async () => {
    group = await startGroup({
      threads: 1,
      applications: [{ name: "fine", mount: "/", entry: "echo.mjs" }, ...broken.map(({ name, entry }) => ({ name, mount: `/${name}`, entry }))],
    });
  });
  afterAll(() => group.stop());

  it.each(broken)("logs the full error of $entry with its file and line", async ({ name, where }) => {
    const line = group.logs.find((l) => l.msg === "application group failed to load" && String(l["applicationGroup"]) === name);
    expect(line, `a log line for ${name}`).toBeDefined();
    expect(String(line?.["error"])).toMatch(where);
  });

  // The client-facing body is the thread pool's (runtime/src/threads/thread-pool.ts).
  it.each(broken)("answers a client of $entry with a short generic 500, without stack or paths", async ({ name }) => {
    const res = await group.get(`/${name}/x`);
    expect(res.status).toBe(500);
    const body = await res.text();
    expect(body.length).toBeLessThan(200);
    expect(body).not.toMatch(/\n\s+at /);
    expect(body).not.toContain(FIXTURES);
    expect(body).not.toMatch(/file:\/\/|\/work\/|\/runtime\/src\//);
    expect((await group.get("/")).status).toBe(200);
  });
});
