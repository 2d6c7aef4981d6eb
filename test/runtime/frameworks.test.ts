import { createHash, randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startGroup, type RunningGroup } from "./support/harness.ts";
import { rawExchange } from "./support/raw-http.ts";

// Real Express, Fastify, Koa and Hono on worker threads, each both as a default export and
// as the unmodified `listen` script a user runs with `node server.js`. Every app answers the
// same routes (fixtures/frameworks/*-app.mjs), mounted below a prefix.
const frameworks = ["express", "fastify", "koa", "hono"] as const;
const kinds = ["default", "server"] as const;
const apps = frameworks.flatMap((framework) => kinds.map((kind) => ({ framework, kind, mount: `/${framework}-${kind}` })));

describe("real frameworks on threads", () => {
  let group: RunningGroup;
  beforeAll(async () => {
    group = await startGroup({
      threads: 2,
      applications: apps.map(({ framework, kind, mount }) => ({ name: `${framework}-${kind}`, mount, entry: `frameworks/${framework}-${kind}.mjs`, applicationGroup: framework })),
    });
    expect(await group.runtime.readiness()).toBeNull();
  });
  afterAll(() => group.stop());

  describe.each(apps)("$framework as $kind", ({ framework, kind, mount }) => {
    it("routes below its mount, with the query", async () => {
      const res = await group.get(`${mount}/items/42?q=x`);
      expect(res.status).toBe(200);
      const body = await group.json(`${mount}/items/42?q=x`);
      expect(body).toMatchObject({ framework, id: "42", q: "x" });
      // A fetch-style app sees the whole URL; a listener sees the path below its mount, as an Express sub-app does.
      expect(body["url"]).toBe(framework === "hono" && kind === "default" ? `${mount}/items/42` : framework === "hono" ? "/items/42" : "/items/42?q=x");
      if (framework === "express") expect(body["originalUrl"]).toBe(`${mount}/items/42?q=x`);
      expect((await group.get(`${mount}/nowhere`)).status).toBe(404);
    });

    it("parses JSON and urlencoded bodies", async () => {
      const json = await group.json(`${mount}/json`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ a: 1, b: [2, "three"] }) });
      expect(json).toEqual({ received: { a: 1, b: [2, "three"] } });
      const form = await group.json(`${mount}/form`, { method: "POST", headers: { "content-type": "application/x-www-form-urlencoded" }, body: "a=1&b=two+words&c=%C3%A9" });
      expect(form).toEqual({ received: { a: "1", b: "two words", c: "\u00e9" } });
    });

    it("reads a streamed upload as it arrives", async () => {
      const chunks = Array.from({ length: 32 }, () => randomBytes(64 * 1024));
      const expected = createHash("sha256");
      for (const c of chunks) expected.update(c);
      const body = new ReadableStream<Uint8Array>({
        pull(controller) {
          const next = chunks.shift();
          if (next) controller.enqueue(next);
          else controller.close();
        },
      });
      const res = await group.get(`${mount}/upload`, { method: "POST", headers: { "content-type": "application/octet-stream" }, body, duplex: "half" } as RequestInit);
      expect(res.status).toBe(200);
      expect(await res.json()).toEqual({ bytes: 32 * 64 * 1024, sha256: expected.digest("hex") });
    });

    it("streams a response in parts", async () => {
      const res = await group.get(`${mount}/stream?n=5`);
      expect(res.status).toBe(200);
      expect(res.headers.get("transfer-encoding")).toBe("chunked");
      expect(await res.text()).toBe("part 0\npart 1\npart 2\npart 3\npart 4\n");
    });

    it("answers an error the route throws with the framework's 500, and keeps serving", async () => {
      const res = await group.get(`${mount}/boom`);
      expect(res.status).toBe(500);
      await res.arrayBuffer();
      expect((await group.get(`${mount}/items/1`)).status).toBe(200);
    });

    it("sees the client's address, and x-forwarded-* when it trusts a proxy", async () => {
      const direct = await group.json(`${mount}/whoami`);
      // A fetch-style app is given no client address (only the headers).
      expect(direct).toEqual({ ip: framework === "hono" && kind === "default" ? null : "127.0.0.1", protocol: "http", host: "127.0.0.1" });
      const proxied = await group.json(`${mount}/whoami`, { headers: { "x-forwarded-for": "203.0.113.7, 10.0.0.1", "x-forwarded-proto": "https", "x-forwarded-host": "shop.example.com" } });
      expect(proxied).toEqual({ ip: "203.0.113.7", protocol: "https", host: "shop.example.com" });
    });

    it("keeps the connection alive between requests", async () => {
      const request = (last: boolean) => `GET ${mount}/items/${last ? 2 : 1} HTTP/1.1\r\nHost: x\r\n${last ? "Connection: close\r\n" : ""}\r\n`;
      const received = await rawExchange(group.port, [request(false), request(true)], { pauseMs: 50 });
      const statuses = [...received.matchAll(/HTTP\/1\.1 (\d{3}) /g)].map((m) => m[1]);
      expect(statuses).toEqual(["200", "200"]);
      expect(received).toContain('"id":"1"');
      expect(received).toContain('"id":"2"');
    });
  });
});
