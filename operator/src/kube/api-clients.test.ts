import { describe, expect, test } from "vitest";
import { resourceOf, verbOf } from "./api-clients.ts";

describe("request metrics labels", () => {
  test.each([
    ["GET", "https://h/apis/apps/v1/namespaces/ns/deployments/x", "get", "deployments"],
    ["GET", "https://h/apis/apps/v1/namespaces/ns/deployments?labelSelector=a", "list", "deployments"],
    ["GET", "https://h/apis/apps/v1/deployments", "list", "deployments"],
    ["GET", "https://h/api/v1/namespaces/ns", "get", "namespaces"],
    ["PATCH", "https://h/apis/processgroup.dev/v1alpha1/namespaces/ns/processgroups/g/status", "patch", "processgroups"],
    ["POST", "https://h/api/v1/namespaces/ns/events", "post", "events"],
    ["PUT", "https://h/apis/coordination.k8s.io/v1/namespaces/ns/leases/l", "put", "leases"],
  ])("%s %s is %s of %s", (method, url, verb, resource) => {
    expect(verbOf(method, url)).toBe(verb);
    expect(resourceOf(url)).toBe(resource);
  });
});
