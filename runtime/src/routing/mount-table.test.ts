import { describe, expect, it } from "vitest";
import { mountTable } from "./mount-table.ts";

const apps = [{ mount: "/" }, { mount: "/blog" }, { mount: "/blog/admin" }, { mount: "/api" }];

describe("mountTable", () => {
  const table = mountTable(apps);
  it.each([
    ["/", "/", "", "/"],
    ["/x/y", "/", "", "/x/y"],
    ["/blog", "/blog", "/blog", "/"],
    ["/blog/", "/blog", "/blog", "/"],
    ["/blog/post/1", "/blog", "/blog", "/post/1"],
    ["/blogger", "/", "", "/blogger"],
    ["/blog/admin/users", "/blog/admin", "/blog/admin", "/users"],
    ["/blog/administrator", "/blog", "/blog", "/administrator"],
  ])("routes %s to %s (SCRIPT_NAME %j, PATH_INFO %j)", (path, mount, scriptName, pathInfo) => {
    expect(table.match(path)).toEqual({ app: { mount }, scriptName, pathInfo });
  });

  it("finds nothing for a path outside every mount when no app is at /", () => {
    expect(mountTable([{ mount: "/api" }]).match("/other")).toBeUndefined();
  });

  it("does not depend on the order apps are listed in", () => {
    expect(mountTable([...apps].reverse()).match("/blog/admin/x")?.app.mount).toBe("/blog/admin");
  });
});
