import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startGroup, withGroup, type RunningGroup } from "./support/harness.ts";

// Both kinds of app, mounted by prefix in one group, and what each sees of its mount.
describe("apps and mounts", () => {
  let group: RunningGroup;
  beforeAll(async () => {
    group = await startGroup({
      threads: 2,
      applications: [
        { name: "root", mount: "/", entry: "echo.mjs" },
        { name: "api", mount: "/api", entry: "echo.mjs" },
        { name: "api-v2", mount: "/api/v2", entry: "listener.mjs" },
        { name: "stream", mount: "/stream", entry: "stream.mjs" },
        { name: "bytes", mount: "/bytes", entry: "bytes.mjs", applicationGroup: "bytes" },
        { name: "bytes-fetch", mount: "/bytes-fetch", entry: "bytes-fetch.mjs", applicationGroup: "bytes" },
        { name: "text", mount: "/text", entry: "text.mjs", applicationGroup: "bytes" },
        { name: "picky", mount: "/picky", entry: "echo.mjs", requires: { multiprocess: true } },
        { name: "serial", mount: "/serial", entry: "echo.mjs", requires: { multithread: false } },
      ],
    });
  });
  afterAll(() => group.stop());

  it("routes by the longest mount on whole segments, and the app sees mount and path below it", async () => {
    expect(await group.json("/api/users?x=1")).toMatchObject({ application: "api", mount: "/api", pathInfo: "/users", path: "/api/users", query: "?x=1" });
    expect(await group.json("/api")).toMatchObject({ application: "api", pathInfo: "/" });
    expect(await group.json("/apiary")).toMatchObject({ application: "root", mount: "/", pathInfo: "/apiary" });
    expect(await group.json("/api/v2/items?q=2")).toMatchObject({ kind: "listener", url: "/items?q=2", originalUrl: "/api/v2/items?q=2", baseUrl: "/api/v2" });
  });

  it("tells a fetch app the flags, its groups and its thread", async () => {
    const body = await group.json("/");
    expect(body).toMatchObject({ processGroup: "test", applicationGroup: "root", multiprocess: false, multithread: true, threads: 2, concurrency: 1, pid: process.pid });
    expect(body["threadId"]).toEqual(expect.any(Number));
  });

  it("passes request headers and bodies both ways", async () => {
    const big = "x".repeat(300_000);
    expect(await group.json("/api", { method: "POST", body: big, headers: { "x-test": "yes" } })).toMatchObject({ method: "POST", header: "yes", bodyLength: big.length });
    const res = await group.get("/api/v2/", { method: "PUT", body: big, headers: { "x-test": "listener" } });
    expect(res.status).toBe(200);
    expect(res.headers.getSetCookie()).toEqual(["a=1", "b=2"]);
    expect(await res.json()).toMatchObject({ method: "PUT", header: "listener", bodyLength: big.length });
  });

  it("streams a response that arrives in pieces", async () => {
    const res = await group.get("/stream?chunks=4&gap=30");
    expect(res.headers.get("transfer-encoding")).toBe("chunked");
    expect(await res.text()).toBe("chunk 0\nchunk 1\nchunk 2\nchunk 3\n");
  });

  it("carries every byte value exactly, in small bodies and large ones, both ways", async () => {
    for (const path of ["/bytes", "/bytes-fetch"]) {
      for (const repeat of [1, 1000]) {
        const body = new Uint8Array(await (await group.get(`${path}?repeat=${repeat}`)).arrayBuffer());
        expect(body.length).toBe(256 * repeat);
        expect(body.every((b, i) => b === i % 256)).toBe(true);
      }
    }
  });

  it("sends the bytes node would for a listener's text bodies, in every encoding and size", async () => {
    const cases: [string, Buffer][] = [
      ["plain", Buffer.from("plain")],
      ["utf8", Buffer.from("h\u00e9llo w\u00f6rld \u2603 \ud83d\ude00")],
      ["large", Buffer.from("ascii ".repeat(10_000) + "\u00e9")],
      ["latin1", Buffer.from("caf\u00e9", "latin1")],
      ["hex", Buffer.from("hello")],
      ["pieces", Buffer.from("one tw\u00f6 thr\u00e9e four")],
    ];
    for (const [kind, expected] of cases) {
      const response = await group.get(`/text?kind=${kind}`);
      expect(Buffer.from(await response.arrayBuffer()).equals(expected), kind).toBe(true);
    }
  });

  it("answers HEAD without a body", async () => {
    const res = await group.get("/api", { method: "HEAD" });
    expect(res.status).toBe(200);
    expect(await res.text()).toBe("");
  });

  it("answers 500 saying which flag and why when an app's requirements contradict the mode", async () => {
    const picky = await group.get("/picky");
    expect(picky.status).toBe(500);
    expect(await picky.text()).toMatch(/application picky requires multiprocess=true but the group runs with multiprocess=false .*processes/);
    const serial = await group.get("/serial/x");
    expect(serial.status).toBe(500);
    expect(await serial.text()).toMatch(/requires multithread=false .*threads: 1/);
  });
});

describe("a group without a root mount", () => {
  it("answers 404 for a path no app is mounted at", async () => {
    await withGroup({ threads: 1, applications: [{ name: "blog", mount: "/blog", entry: "echo.mjs" }] }, async (group) => {
      const res = await group.get("/elsewhere");
      expect(res.status).toBe(404);
      expect(await res.text()).toContain("no application is mounted at /elsewhere");
      expect((await group.get("/blog/post")).status).toBe(200);
    });
  });
});
