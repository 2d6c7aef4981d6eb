import type { V1Role, V1RoleBinding, V1ServiceAccount } from "@kubernetes/client-node";
import type { ProcessGroup } from "../../../crds/index.ts";
import { labelsOf } from "./labels.ts";
import { childMetadata } from "./options.ts";

// What a group's pods need for env.once() in a cluster: an account of their own, allowed to
// create, read and update Leases in the group's namespace. The runtime names every Lease
// `<group>-once-<revision>-<key>`; RBAC cannot limit names by prefix (resourceNames are
// exact, and `create` cannot be limited by name at all), so the namespace is the boundary:
// see docs/operator.md.

export function runtimeServiceAccountName(group: string): string {
  return `${group}-runtime`;
}

export function onceRoleName(group: string): string {
  return `${group}-once`;
}

export function buildServiceAccount(pg: ProcessGroup): V1ServiceAccount {
  return {
    apiVersion: "v1",
    kind: "ServiceAccount",
    metadata: { ...childMetadata(pg, labelsOf(pg.metadata.name)), name: runtimeServiceAccountName(pg.metadata.name) },
    // The pod spec asks for the token itself; other pods that borrow the account do not get it by default.
    automountServiceAccountToken: false,
  };
}

export function buildOnceRole(pg: ProcessGroup): V1Role {
  return {
    apiVersion: "rbac.authorization.k8s.io/v1",
    kind: "Role",
    metadata: { ...childMetadata(pg, labelsOf(pg.metadata.name)), name: onceRoleName(pg.metadata.name) },
    rules: [{ apiGroups: ["coordination.k8s.io"], resources: ["leases"], verbs: ["get", "create", "update"] }],
  };
}

export function buildOnceRoleBinding(pg: ProcessGroup): V1RoleBinding {
  const name = pg.metadata.name;
  return {
    apiVersion: "rbac.authorization.k8s.io/v1",
    kind: "RoleBinding",
    metadata: { ...childMetadata(pg, labelsOf(name)), name: onceRoleName(name) },
    roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name: onceRoleName(name) },
    subjects: [{ kind: "ServiceAccount", name: runtimeServiceAccountName(name), ...(pg.metadata.namespace ? { namespace: pg.metadata.namespace } : {}) }],
  };
}
