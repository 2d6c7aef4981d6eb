import { z } from "zod";
import { GROUP_VERSION, KIND } from "../../../crds/index.ts";
import type { Problem } from "./problems.ts";
import { REASON } from "./problems.ts";

/** The mounts a group asks for on its route's host, read loosely so even a broken group's claim counts. */
export interface RouteClaim {
  readonly namespace: string;
  readonly name: string;
  readonly creationTimestamp: string;
  readonly host: string;
  readonly mounts: readonly string[];
}

const ClaimShape = z.object({
  apiVersion: z.literal(GROUP_VERSION),
  kind: z.literal(KIND),
  metadata: z.object({ name: z.string(), namespace: z.string().default(""), creationTimestamp: z.coerce.string().default("") }),
  spec: z.object({
    route: z.object({ host: z.string() }),
    applications: z.array(z.object({ mount: z.string() })),
  }),
});

export function routeClaimOf(object: unknown): RouteClaim | undefined {
  const parsed = ClaimShape.safeParse(object);
  if (!parsed.success) return undefined;
  const { metadata, spec } = parsed.data;
  return { ...metadata, host: spec.route.host, mounts: spec.applications.map((a) => a.mount) };
}

/** The older group wins a contested mount: earlier creationTimestamp, then namespace/name. */
function isOlder(a: RouteClaim, b: RouteClaim): boolean {
  if (a.creationTimestamp !== b.creationTimestamp) return a.creationTimestamp !== "" && (b.creationTimestamp === "" || a.creationTimestamp < b.creationTimestamp);
  return `${a.namespace}/${a.name}` < `${b.namespace}/${b.name}`;
}

/** Each of `self`'s mounts that an older group on the same host also claims, with that group. */
export function contestedMounts(self: RouteClaim, others: readonly RouteClaim[]): Map<string, RouteClaim> {
  const contested = new Map<string, RouteClaim>();
  for (const other of others) {
    if (other.host !== self.host || (other.namespace === self.namespace && other.name === self.name) || !isOlder(other, self)) continue;
    for (const mount of self.mounts) if (other.mounts.includes(mount) && !contested.has(mount)) contested.set(mount, other);
  }
  return contested;
}

export function mountConflictProblem(host: string, contested: ReadonlyMap<string, RouteClaim>): Problem | undefined {
  if (contested.size === 0) return undefined;
  const list = [...contested].map(([mount, owner]) => `${mount} (owned by ProcessGroup ${owner.namespace}/${owner.name})`).join(", ");
  return {
    reason: REASON.mountConflict,
    message: `on host ${host}, ${list} ${contested.size === 1 ? "is" : "are"} claimed by an older group; this group's Ingress leaves ${contested.size === 1 ? "it" : "them"} out. Choose another mount or host`,
    blocking: false,
  };
}
