import { describe, expect, test } from "vitest";
import { contestedMounts, mountConflictProblem, routeClaimOf, type RouteClaim } from "./mount-conflicts.ts";

const claim = (name: string, creationTimestamp: string, mounts: string[], host = "example.com", namespace = "ns"): RouteClaim => ({ namespace, name, creationTimestamp, host, mounts });

describe("mount conflicts on a shared host", () => {
  test("different mounts on one host do not conflict", () => {
    expect(contestedMounts(claim("b", "2026-01-02T00:00:00Z", ["/api"]), [claim("a", "2026-01-01T00:00:00Z", ["/", "/blog"])]).size).toBe(0);
  });

  test("the older group keeps a contested mount; only the newer one reports it", () => {
    const older = claim("zeta", "2026-01-01T00:00:00Z", ["/", "/blog"]);
    const newer = claim("alpha", "2026-01-02T00:00:00Z", ["/api", "/blog"]);
    expect([...contestedMounts(newer, [older, newer]).keys()]).toEqual(["/blog"]);
    expect(contestedMounts(older, [older, newer]).size).toBe(0);
    const problem = mountConflictProblem("example.com", contestedMounts(newer, [older]));
    expect(problem).toMatchObject({ reason: "MountConflict", blocking: false });
    expect(problem?.message).toContain("/blog (owned by ProcessGroup ns/zeta)");
  });

  test("created in the same second: namespace/name decides, the same way on every replica", () => {
    const a = claim("a", "2026-01-01T00:00:00Z", ["/"]);
    const b = claim("b", "2026-01-01T00:00:00Z", ["/"]);
    expect(contestedMounts(b, [a]).size).toBe(1);
    expect(contestedMounts(a, [b]).size).toBe(0);
  });

  test("other hosts never conflict", () => {
    expect(contestedMounts(claim("b", "2026-01-02T00:00:00Z", ["/"]), [claim("a", "2026-01-01T00:00:00Z", ["/"], "other.com")]).size).toBe(0);
  });

  test("a claim is read from any ProcessGroup with a route, even one whose spec does not parse", () => {
    const object = {
      apiVersion: "processgroup.dev/v1alpha1",
      kind: "ProcessGroup",
      metadata: { name: "g", namespace: "ns", creationTimestamp: "2026-01-01T00:00:00Z" },
      spec: { threads: -1, route: { host: "example.com" }, applications: [{ mount: "/x" }] },
    };
    expect(routeClaimOf(object)).toEqual(claim("g", "2026-01-01T00:00:00Z", ["/x"]));
    expect(routeClaimOf({ ...object, spec: { applications: [] } })).toBeUndefined();
  });
});
