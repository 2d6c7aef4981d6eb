import type { KubernetesObject, V1Deployment, V1Ingress, V1Role, V1RoleBinding, V1Service, V1ServiceAccount } from "@kubernetes/client-node";
import { FIELD_MANAGER } from "../render/labels.ts";
import { serverSideApply, type ApiClients } from "../kube/api-clients.ts";
import { isNotFound } from "../kube/api-errors.ts";

/** A cache lookup, the way informers answer it. */
export interface ObjectCache<T> {
  get(name: string, namespace: string): T | undefined;
  list(namespace?: string): readonly T[];
}

/** How the reconciler reads, applies and removes one kind of child object. */
export interface ChildKind<T extends KubernetesObject> {
  readonly kind: string;
  /** From the informer cache: cheap, possibly a little behind. */
  cached(namespace: string, name: string): T | undefined;
  /** From the API server, for when the cache may lag behind our own last write. */
  read(namespace: string, name: string): Promise<T | undefined>;
  /** Server-side apply under our field manager, taking back fields others changed. */
  apply(object: T): Promise<T>;
  /** Deletes the object only if it is still the one with this uid. */
  remove(namespace: string, name: string, uid: string): Promise<void>;
}

export interface Children {
  readonly serviceAccount: ChildKind<V1ServiceAccount>;
  readonly role: ChildKind<V1Role>;
  readonly roleBinding: ChildKind<V1RoleBinding>;
  readonly deployment: ChildKind<V1Deployment>;
  readonly service: ChildKind<V1Service>;
  readonly ingress: ChildKind<V1Ingress>;
}

async function orUndefined<T>(read: Promise<T>): Promise<T | undefined> {
  try {
    return await read;
  } catch (error) {
    if (isNotFound(error)) return undefined;
    throw error;
  }
}

interface ByName {
  name: string;
  namespace: string;
}

/** The typed client calls for one kind, as closures (each kind's methods have their own names). */
interface KindCalls<T> {
  read(at: ByName): Promise<T>;
  apply(at: ByName & { body: T; fieldManager: string; force: boolean }): Promise<T>;
  remove(at: ByName & { body: { preconditions: { uid: string } } }): Promise<unknown>;
}

function childKind<T extends KubernetesObject>(kind: string, cache: ObjectCache<T>, calls: KindCalls<T>): ChildKind<T> {
  return {
    kind,
    cached: (namespace, name) => cache.get(name, namespace),
    read: (namespace, name) => orUndefined(calls.read({ name, namespace })),
    apply: (object) =>
      calls.apply({ name: object.metadata?.name ?? "", namespace: object.metadata?.namespace ?? "", body: object, fieldManager: FIELD_MANAGER, force: true }),
    remove: async (namespace, name, uid) => {
      await calls.remove({ name, namespace, body: { preconditions: { uid } } });
    },
  };
}

/**
 * What the operator itself last read or applied, for kinds it does not watch (a group's
 * ServiceAccount, Role, RoleBinding: no informer, so no list/watch rights and no cache of
 * every account in the cluster). Trusted for `maxAgeMs`, then read again, so a change by
 * someone else is put back within that time.
 */
export class RememberedObjects<T extends KubernetesObject> implements ObjectCache<T> {
  readonly #seen = new Map<string, { object: T; at: number }>();
  readonly #maxAgeMs: number;
  readonly #now: () => number;

  constructor(maxAgeMs: number, now: () => number = Date.now) {
    this.#maxAgeMs = maxAgeMs;
    this.#now = now;
  }

  get(name: string, namespace: string): T | undefined {
    const seen = this.#seen.get(`${namespace}/${name}`);
    return seen && this.#now() - seen.at < this.#maxAgeMs ? seen.object : undefined;
  }

  list(): readonly T[] {
    return [...this.#seen.values()].map((s) => s.object);
  }

  remember(object: T | undefined, namespace: string, name: string): T | undefined {
    if (object) this.#seen.set(`${namespace}/${name}`, { object, at: this.#now() });
    else this.#seen.delete(`${namespace}/${name}`);
    return object;
  }
}

function rememberedKind<T extends KubernetesObject>(kind: string, memory: RememberedObjects<T>, calls: KindCalls<T>): ChildKind<T> {
  const inner = childKind(kind, memory, calls);
  return {
    ...inner,
    read: async (namespace, name) => memory.remember(await inner.read(namespace, name), namespace, name),
    apply: async (object) => {
      const applied = await inner.apply(object);
      memory.remember(applied, object.metadata?.namespace ?? "", object.metadata?.name ?? "");
      return applied;
    },
  };
}

/** How long the operator trusts its memory of a group's account objects (the default resync period). */
const REMEMBERED_MS = 300_000;

export function childrenOf(clients: ApiClients, caches: { deployments: ObjectCache<V1Deployment>; services: ObjectCache<V1Service>; ingresses: ObjectCache<V1Ingress> }): Children {
  const { apps, core, networking, rbac } = clients;
  return {
    serviceAccount: rememberedKind("ServiceAccount", new RememberedObjects<V1ServiceAccount>(REMEMBERED_MS), {
      read: (at) => core.readNamespacedServiceAccount(at),
      apply: (at) => core.patchNamespacedServiceAccount(at, serverSideApply),
      remove: (at) => core.deleteNamespacedServiceAccount(at),
    }),
    role: rememberedKind("Role", new RememberedObjects<V1Role>(REMEMBERED_MS), {
      read: (at) => rbac.readNamespacedRole(at),
      apply: (at) => rbac.patchNamespacedRole(at, serverSideApply),
      remove: (at) => rbac.deleteNamespacedRole(at),
    }),
    roleBinding: rememberedKind("RoleBinding", new RememberedObjects<V1RoleBinding>(REMEMBERED_MS), {
      read: (at) => rbac.readNamespacedRoleBinding(at),
      apply: (at) => rbac.patchNamespacedRoleBinding(at, serverSideApply),
      remove: (at) => rbac.deleteNamespacedRoleBinding(at),
    }),
    deployment: childKind("Deployment", caches.deployments, {
      read: (at) => apps.readNamespacedDeployment(at),
      apply: (at) => apps.patchNamespacedDeployment(at, serverSideApply),
      remove: (at) => apps.deleteNamespacedDeployment(at),
    }),
    service: childKind("Service", caches.services, {
      read: (at) => core.readNamespacedService(at),
      apply: (at) => core.patchNamespacedService(at, serverSideApply),
      remove: (at) => core.deleteNamespacedService(at),
    }),
    ingress: childKind("Ingress", caches.ingresses, {
      read: (at) => networking.readNamespacedIngress(at),
      apply: (at) => networking.patchNamespacedIngress(at, serverSideApply),
      remove: (at) => networking.deleteNamespacedIngress(at),
    }),
  };
}
