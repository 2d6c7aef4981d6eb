import type { OnceBackend } from "./once-backend.ts";
import { decideClaim, type ClaimDecision, type OnceRecord } from "./once-decision.ts";
import { microTime, type Lease, type LeaseClient } from "./lease-client.ts";

// env.once() in a cluster: one coordination.k8s.io/v1 Lease per key and pod-template
// revision. The holder renews it while its fn runs; a finished run is written into the Lease
// (annotations), so every later caller of the same rollout, a restarted pod too, sees "done".

export const DONE_ANNOTATION = "processgroup.dev/once-done";
export const ERROR_ANNOTATION = "processgroup.dev/once-error";
export const KEY_LABEL = "processgroup.dev/once-key";
export const REVISION_LABEL = "processgroup.dev/revision";
const NAME_LABEL = "processgroup.dev/name";
const MAX_ERROR_LENGTH = 1024;
const ATTEMPTS = 4;

/** The name prefix of every once Lease of a group: the group's Role is written for it. */
export function leasePrefixOf(group: string): string {
  return `${group}-once-`;
}

export function leaseNameOf(group: string, revision: string, key: string): string {
  return `${leasePrefixOf(group)}${revision}-${key}`;
}

export interface LeaseOnceOptions {
  readonly client: LeaseClient;
  readonly namespace: string;
  readonly group: string;
  readonly revision: string;
  readonly takeoverMs: number;
  /** The ProcessGroup, so its Leases go when it does (garbage collection). */
  readonly ownerUid?: string | undefined;
  readonly now?: () => number;
}

/** What the Lease says, in the terms of the decision rule; `renewedAt` is when this process saw it change. */
export function recordOfLease(lease: Lease, renewedAt: number): OnceRecord {
  const annotations = lease.metadata.annotations ?? {};
  const done = annotations[DONE_ANNOTATION] === "true" ? { error: annotations[ERROR_ANNOTATION] } : undefined;
  return { holder: lease.spec?.holderIdentity || undefined, renewedAt, ...(done ? { done } : {}) };
}

export function leaseOnce(options: LeaseOnceOptions): OnceBackend {
  const { client, namespace, group, revision, takeoverMs } = options;
  const now = options.now ?? Date.now;
  const durationSeconds = Math.max(1, Math.ceil(takeoverMs / 1000));
  // As client-go's leader election: expiry is judged by when this process saw the Lease
  // change, never by another node's clock.
  const observed = new Map<string, { stamp: string; at: number }>();
  const observe = (lease: Lease): number => {
    const name = lease.metadata.name;
    const stamp = `${lease.spec?.holderIdentity ?? ""}|${lease.spec?.renewTime ?? ""}`;
    const seen = observed.get(name);
    if (seen && seen.stamp === stamp) return seen.at;
    const at = now();
    observed.set(name, { stamp, at });
    return at;
  };
  const durationOf = (lease: Lease) => (lease.spec?.leaseDurationSeconds ? lease.spec.leaseDurationSeconds * 1000 : takeoverMs);

  const fresh = (key: string, holder: string): Lease => {
    const at = microTime(now());
    return {
      metadata: {
        name: leaseNameOf(group, revision, key),
        namespace,
        labels: { [NAME_LABEL]: group, [REVISION_LABEL]: revision, [KEY_LABEL]: key },
        ...(options.ownerUid ? { ownerReferences: [{ apiVersion: "processgroup.dev/v1alpha1", kind: "ProcessGroup", name: group, uid: options.ownerUid }] } : {}),
      },
      spec: { holderIdentity: holder, leaseDurationSeconds: durationSeconds, acquireTime: at, renewTime: at, leaseTransitions: 0 },
    };
  };
  const write = async (lease: Lease): Promise<Lease | "conflict"> => {
    const result = await client.replace(namespace, lease);
    if (result !== "conflict") observe(result);
    return result;
  };

  return {
    takeoverMs,
    async claim(key, holder): Promise<ClaimDecision> {
      const name = leaseNameOf(group, revision, key);
      for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
        const lease = await client.get(namespace, name);
        if (lease === undefined) {
          const created = await client.create(namespace, fresh(key, holder));
          if (created === "conflict") continue;
          observe(created);
          return { kind: "run", takeover: false };
        }
        const decision = decideClaim(recordOfLease(lease, observe(lease)), now(), durationOf(lease));
        if (decision.kind !== "run") return decision;
        const at = microTime(now());
        const taken = await write({
          ...lease,
          spec: { ...lease.spec, holderIdentity: holder, leaseDurationSeconds: durationSeconds, acquireTime: at, renewTime: at, leaseTransitions: (lease.spec?.leaseTransitions ?? 0) + 1 },
        });
        if (taken !== "conflict") return decision;
      }
      // Others keep changing it: someone holds it; ask again soon.
      return { kind: "held", holder: "(contended)", retryAt: now() + Math.min(1_000, takeoverMs) };
    },
    async renew(key, holder) {
      const name = leaseNameOf(group, revision, key);
      for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
        const lease = await client.get(namespace, name);
        if (lease === undefined || lease.spec?.holderIdentity !== holder || lease.metadata.annotations?.[DONE_ANNOTATION] === "true") return false;
        const written = await write({ ...lease, spec: { ...lease.spec, renewTime: microTime(now()) } });
        if (written !== "conflict") return true;
      }
      return false;
    },
    async finish(key, holder, error) {
      const name = leaseNameOf(group, revision, key);
      const doneAnnotations = { [DONE_ANNOTATION]: "true", ...(error !== undefined ? { [ERROR_ANNOTATION]: error.slice(0, MAX_ERROR_LENGTH) } : {}) };
      for (let attempt = 0; ; attempt++) {
        const lease = await client.get(namespace, name);
        const base = lease ?? fresh(key, holder);
        const annotations = { ...base.metadata.annotations, ...doneAnnotations };
        const next: Lease = { ...base, metadata: { ...base.metadata, annotations }, spec: { ...base.spec, renewTime: microTime(now()) } };
        const result = lease === undefined ? await client.create(namespace, next) : await write(next);
        if (result !== "conflict") return;
        if (attempt >= ATTEMPTS) throw new Error(`cannot record the end of once(${JSON.stringify(key)}) in Lease ${name}: it keeps changing`);
      }
    },
    async release(key, holder) {
      const name = leaseNameOf(group, revision, key);
      const lease = await client.get(namespace, name);
      if (lease === undefined || lease.spec?.holderIdentity !== holder || lease.metadata.annotations?.[DONE_ANNOTATION] === "true") return;
      const { holderIdentity: _gone, ...spec } = lease.spec ?? {};
      await write({ ...lease, spec });
    },
  };
}
