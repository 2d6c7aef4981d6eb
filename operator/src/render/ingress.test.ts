import { describe, expect, test } from "vitest";
import { ProcessGroup } from "../../../crds/index.ts";
import { buildIngress } from "./ingress.ts";

const group = ProcessGroup.parse({
  apiVersion: "processgroup.dev/v1alpha1",
  kind: "ProcessGroup",
  metadata: { name: "shop", namespace: "ns" },
  spec: {
    route: { host: "shop.example.com" },
    applications: [
      { name: "front", mount: "/", entry: "a.mjs" },
      { name: "blog", mount: "/blog", entry: "b.mjs" },
    ],
  },
});

describe("the Ingress of spec.route", () => {
  test("sends every mount on the host to the group's Service", () => {
    const paths = buildIngress(group)?.spec?.rules?.[0]?.http?.paths;
    expect(paths?.map((p) => p.path)).toEqual(["/", "/blog"]);
    expect(paths?.[0]?.backend.service).toEqual({ name: "shop", port: { name: "http" } });
  });

  test("leaves out mounts an older group owns, and is not made when none is left", () => {
    expect(buildIngress(group, { excludedMounts: new Set(["/blog"]) })?.spec?.rules?.[0]?.http?.paths.map((p) => p.path)).toEqual(["/"]);
    expect(buildIngress(group, { excludedMounts: new Set(["/", "/blog"]) })).toBeUndefined();
  });
});
