import type { KubernetesObject } from "@kubernetes/client-node";
import { describe, expect, test } from "vitest";
import { covers } from "./covers.ts";
import { parseQuantity, sameQuantity } from "./quantity.ts";
import { APPLIED_HASH_ANNOTATION, stableJson, withAppliedHash } from "./applied-hash.ts";

describe("covers: does the live object already hold what we apply?", () => {
  test("extra fields on the live object (defaults, status, other managers) do not matter", () => {
    expect(covers({ spec: { replicas: 2 } }, { spec: { replicas: 2, revisionHistoryLimit: 10 }, status: { readyReplicas: 1 } })).toBe(true);
  });

  test("a value of ours that changed does", () => {
    expect(covers({ spec: { replicas: 2 } }, { spec: { replicas: 5 } })).toBe(false);
    expect(covers({ a: { b: "x" } }, { a: {} })).toBe(false);
  });

  test("list items must appear in our order; items of other managers may sit between them", () => {
    const desired = { env: [{ name: "A", value: "1" }, { name: "B", value: "2" }] };
    expect(covers(desired, { env: [{ name: "A", value: "1" }, { name: "X", value: "theirs" }, { name: "B", value: "2" }] })).toBe(true);
    expect(covers(desired, { env: [{ name: "B", value: "2" }, { name: "A", value: "1" }] })).toBe(false);
    expect(covers(desired, { env: [{ name: "A", value: "1" }, { name: "B", value: "edited" }] })).toBe(false);
    expect(covers(desired, { env: [{ name: "A", value: "1" }] })).toBe(false);
  });

  test("empty values Go's omitempty drops count as present", () => {
    expect(covers({ env: [{ name: "A", value: "" }], readOnly: false, emptyDir: {} }, { env: [{ name: "A" }] })).toBe(true);
  });

  test("quantities under resources compare by value", () => {
    expect(covers({ resources: { limits: { cpu: "0.5", memory: "1024Mi" } } }, { resources: { limits: { cpu: "500m", memory: "1Gi" } } })).toBe(true);
    expect(covers({ resources: { limits: { cpu: "1" } } }, { resources: { limits: { cpu: "500m" } } })).toBe(false);
    // Elsewhere a string is a string.
    expect(covers({ value: "1k" }, { value: "1000" })).toBe(false);
  });
});

describe("quantities", () => {
  test.each([
    ["500m", "0.5"],
    ["1Gi", "1024Mi"],
    ["1k", "1000"],
    [1, "1"],
    ["1e3", "1k"],
    ["2.5Gi", "2560Mi"],
  ])("%s equals %s", (a, b) => expect(sameQuantity(a, b)).toBe(true));

  test.each([
    ["1Ki", "1k"],
    ["1", "1001m"],
    ["abc", "abc"],
  ])("%s differs from %s", (a, b) => expect(sameQuantity(a, b)).toBe(false));

  test("refuses what is not a quantity", () => {
    expect(parseQuantity("1.2.3")).toBeUndefined();
    expect(parseQuantity(".")).toBeUndefined();
  });
});

describe("the applied hash", () => {
  test("is stable under key order and changes with content", () => {
    const a = withAppliedHash<KubernetesObject>({ apiVersion: "v1", kind: "Service", metadata: { name: "x", labels: { a: "1", b: "2" } } });
    const b = withAppliedHash({ kind: "Service", apiVersion: "v1", metadata: { labels: { b: "2", a: "1" }, name: "x" } });
    const c = withAppliedHash({ apiVersion: "v1", kind: "Service", metadata: { name: "x", labels: { a: "1" } } });
    const hash = (o: KubernetesObject) => o.metadata?.annotations?.[APPLIED_HASH_ANNOTATION];
    expect(hash(a)).toMatch(/^[0-9a-f]{16}$/);
    expect(hash(a)).toBe(hash(b));
    expect(hash(a)).not.toBe(hash(c));
    expect(stableJson({ b: 1, a: [{ d: 1, c: 2 }] })).toBe('{"a":[{"c":2,"d":1}],"b":1}');
  });
});
