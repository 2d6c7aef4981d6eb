import { V1MicroTime, type CoordinationV1Api, type V1Lease } from "@kubernetes/client-node";
import { isNotFound } from "../kube/api-errors.ts";

/** The three Lease calls leader election makes; a replace carries the resourceVersion it read. */
export interface LeaseClient {
  read(): Promise<V1Lease | undefined>;
  create(lease: V1Lease): Promise<V1Lease>;
  replace(lease: V1Lease): Promise<V1Lease>;
}

export function leaseClient(coordination: CoordinationV1Api, namespace: string, name: string): LeaseClient {
  return {
    async read() {
      try {
        return await coordination.readNamespacedLease({ name, namespace });
      } catch (error) {
        if (isNotFound(error)) return undefined;
        throw error;
      }
    },
    create: (lease) => coordination.createNamespacedLease({ namespace, body: lease }),
    replace: (lease) => coordination.replaceNamespacedLease({ name, namespace, body: lease }),
  };
}

/** Lease times are MicroTime: RFC 3339 with six fractional digits. */
export function microTime(ms: number): Date {
  return new V1MicroTime(ms);
}
