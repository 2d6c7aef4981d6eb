import { describe, expect, it } from "vitest";
import { safeTarget } from "./request-path.ts";

describe("safeTarget", () => {
  it.each([
    ["/a/b?x=1&y", "/a/b", "?x=1&y"],
    ["/a", "/a", ""],
    ["/", "/", ""],
    ["/blog/../wiki", "/wiki", ""],
    ["/blog/%2e%2e/wiki", "/wiki", ""],
    ["/blog/%2E%2E/wiki?x=%2e%2e", "/wiki", "?x=%2e%2e"],
    ["/blog/.%2e/wiki", "/wiki", ""],
    ["/blog/./post", "/blog/post", ""],
    ["/blog/x/../post", "/blog/post", ""],
    ["/blog/../../../etc/passwd", "/etc/passwd", ""],
    ["/..", "/", ""],
    ["/a/b/.", "/a/b/", ""],
    ["/a/b/..", "/a/", ""],
    ["/a/b/", "/a/b/", ""],
    ["//blog//post", "/blog/post", ""],
    ["//evil.example/x", "/evil.example/x", ""],
    ["/%7Euser/%41%62%2D%5f", "/~user/Ab-_", ""],
    ["/a%2Fb/%2f..", "/a%2Fb/%2f..", ""],
    ["/caf%C3%A9", "/caf%C3%A9", ""],
    ["http://example.com/blog/../wiki?q", "/wiki", "?q"],
    ["http://example.com", "/", ""],
    ["/.well-known/x", "/.well-known/x", ""],
    ["/a/b?next=//x/../y%2e", "/a/b", "?next=//x/../y%2e"],
  ])("%s: path %s, query %j", (target, path, query) => {
    expect(safeTarget(target)).toEqual({ ok: true, path, query, url: path + query });
  });

  it.each([
    ["/blog/%00", "the request path holds a NUL byte"],
    ["/blog/\0x", "the request path holds a NUL byte"],
    ["*", "the request target must be a path starting with /"],
    ["blog", "the request target must be a path starting with /"],
  ])("refuses %j", (target, problem) => {
    expect(safeTarget(target)).toEqual({ ok: false, problem });
  });

  it("leaves no dot segment and no empty segment in any path it returns", () => {
    const parts = ["a", ".", "..", "%2e", "%2E%2e", "", "b"];
    for (const x of parts) for (const y of parts) for (const z of parts) {
      const result = safeTarget(`/${x}/${y}/${z}`);
      expect(result.ok).toBe(true);
      if (!result.ok) continue;
      const segments = result.path.split("/").slice(1, -1);
      expect(segments.every((s) => s !== "." && s !== ".." && s !== ""), result.path).toBe(true);
    }
  });
});
