import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startGroup, type RunningGroup } from "./support/harness.ts";
import { rawExchange, statusLineOf } from "./support/raw-http.ts";

// Hostile paths sent byte for byte (fetch and curl would normalise them first): routing and
// the URL the app sees agree, and a path that climbs above its mount never reaches that mount.
function get(port: number, target: string): Promise<string> {
  return rawExchange(port, [`GET ${target} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`]);
}

function bodyOf(response: string): Record<string, unknown> {
  return JSON.parse(response.slice(response.indexOf("\r\n\r\n") + 4)) as Record<string, unknown>;
}

describe("dot segments, encoded dots, // and NUL", () => {
  let group: RunningGroup;
  beforeAll(async () => {
    group = await startGroup({
      threads: 1,
      applications: [
        { name: "root", mount: "/", entry: "echo.mjs" },
        { name: "blog", mount: "/blog", entry: "echo.mjs", applicationGroup: "root" },
        { name: "admin", mount: "/admin", entry: "listener.mjs" },
      ],
    });
  });
  afterAll(() => group.stop());

  it.each(["/blog/../wiki", "/blog/%2e%2e/wiki", "/blog/%2E%2E/wiki", "/blog/.%2e/wiki", "/blog/./../wiki", "/blog/x/../../wiki"])(
    "%s climbs out of /blog: the root app gets it, and its URL agrees",
    async (target) => {
      const response = await get(group.port, target);
      expect(statusLineOf(response)).toBe("HTTP/1.1 200 OK");
      expect(bodyOf(response)).toMatchObject({ application: "root", path: "/wiki", mount: "/", pathInfo: "/wiki" });
    },
  );

  it("resolves dot segments that stay below the mount, and merges //", async () => {
    for (const target of ["/blog/x/../post", "/blog/./post", "//blog//post", "/blog/%2e/post"]) {
      expect(bodyOf(await get(group.port, target)), target).toMatchObject({ application: "blog", path: "/blog/post", pathInfo: "/post" });
    }
  });

  it("gives a listener the same resolved URL, below its mount and whole", async () => {
    expect(bodyOf(await get(group.port, "/admin/a/../users?x=1"))).toMatchObject({ kind: "listener", url: "/users?x=1", originalUrl: "/admin/users?x=1", baseUrl: "/admin" });
    expect(bodyOf(await get(group.port, "/blog/../admin/users"))).toMatchObject({ kind: "listener", url: "/users" });
  });

  it("never lets a path above the root climb anywhere but the root", async () => {
    expect(bodyOf(await get(group.port, "/../../etc/passwd"))).toMatchObject({ application: "root", path: "/etc/passwd" });
  });

  it("refuses a NUL in the path with 400, raw or encoded, and keeps serving", async () => {
    const encoded = await get(group.port, "/blog/%00/x");
    expect(statusLineOf(encoded)).toBe("HTTP/1.1 400 Bad Request");
    expect(encoded).toContain("NUL");
    expect(statusLineOf(await get(group.port, "/blog/\0/x"))).toMatch(/^HTTP\/1\.1 400 /);
    expect(statusLineOf(await get(group.port, "/blog/post"))).toBe("HTTP/1.1 200 OK");
  });
});

describe("a mount a path climbs out of, with no root app", () => {
  it("answers 404 for the resolved path instead of serving the mount it started under", async () => {
    const group = await startGroup({ threads: 1, applications: [{ name: "blog", mount: "/blog", entry: "echo.mjs" }] });
    try {
      for (const target of ["/blog/../wiki", "/blog/%2e%2e/wiki", "/blog/x/../../wiki"]) {
        const response = await get(group.port, target);
        expect(statusLineOf(response), target).toBe("HTTP/1.1 404 Not Found");
      }
      expect(await get(group.port, "/blog/%2e%2e/wiki")).toContain("no application is mounted at /wiki");
    } finally {
      await group.stop();
    }
  });
});
