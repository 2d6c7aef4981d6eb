import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startGroup, type RunningGroup } from "./support/harness.ts";

// Entries written for `node server.js`: they make their own http.Server and listen on a port
// of their choosing. On a worker thread the runtime adopts that server instead.
describe("unmodified server apps", () => {
  let group: RunningGroup;
  let reasons: readonly string[];
  beforeAll(async () => {
    group = await startGroup({
      threads: 2,
      applications: [
        { name: "server", mount: "/server", entry: "flags-server.mjs" },
        { name: "late", mount: "/late", entry: "late-listen.mjs" },
        { name: "exported", mount: "/exported", entry: "exported-server.cjs" },
        { name: "fastify", mount: "/fastify", entry: "frameworks/fastify-callback.mjs" },
        { name: "two", mount: "/two", entry: "two-servers.mjs" },
        { name: "raw", mount: "/raw", entry: "net-server.mjs" },
        { name: "library", mount: "/library", entry: "no-export.mjs" },
      ],
    });
    reasons = (await group.runtime.readiness()) ?? [];
  });
  afterAll(() => group.stop());

  it("serves the server an entry listened on, on the group's port and under its mount, ignoring the port it asked for", async () => {
    const res = await group.get("/server/a?b=1");
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ kind: "server", url: "/a?b=1" });
  });

  it("waits for an entry that listens only after an await, and reports the port it asked for as its address", async () => {
    expect(await (await group.get("/late/x")).text()).toBe("late /x 4321");
  });

  it("serves an http.Server a CommonJS entry exports without listening", async () => {
    expect(await (await group.get("/exported/y")).text()).toBe("exported /y");
  });

  it("serves Fastify listening without an await, its second server for localhost included", async () => {
    expect(await group.json("/fastify/items/7")).toMatchObject({ framework: "fastify", id: "7" });
    expect(group.logs.filter((l) => l.msg === "a thread died")).toEqual([]);
  });

  it("serves on every thread of the group, each with its own adopted server", async () => {
    const answers = await Promise.all(Array.from({ length: 2 }, () => group.json<{ kind: string; thread: number }>("/server/?ms=300")));
    expect(answers.map((a) => a.kind)).toEqual(["server", "server"]);
    expect(new Set(answers.map((a) => a.thread)).size).toBe(2);
  });

  it("refuses a second server in one entry, a raw net server, and an entry that neither exports nor listens, each with a clear error", async () => {
    const text = reasons.join("\n");
    expect(text).toMatch(/two-servers\.mjs: a second server called listen\(\); an entry serves one http\.Server/);
    expect(text).toMatch(/net-server\.mjs: listen\(\) on a raw net\.Server .* is not supported/);
    expect(text).toMatch(/no-export\.mjs: the module has no default export and did not call listen\(\) on an http\.Server within 10 s/);
    for (const path of ["/two/", "/raw/", "/library/"]) expect((await group.get(path)).status).toBe(500);
    // The broken groups leave the others serving.
    expect((await group.get("/server/")).status).toBe(200);
  });
});
