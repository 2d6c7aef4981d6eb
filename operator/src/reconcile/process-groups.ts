import { z } from "zod";
import { API_GROUP, API_VERSION, GROUP_VERSION, KIND, PLURAL, ProcessGroupStatus } from "../../../crds/index.ts";
import { FIELD_MANAGER } from "../render/labels.ts";
import { serverSideApply, type ApiClients } from "../kube/api-clients.ts";
import { isNotFound } from "../kube/api-errors.ts";
import type { ObjectCache } from "./children.ts";

/** How the reconciler reads ProcessGroups and writes their status. */
export interface ProcessGroupStore {
  cached(namespace: string, name: string): unknown;
  all(): readonly unknown[];
  read(namespace: string, name: string): Promise<unknown>;
  writeStatus(namespace: string, name: string, status: ProcessGroupStatus): Promise<void>;
}

/**
 * What the reconciler needs of any ProcessGroup object, even one whose spec does not parse:
 * enough to report on it.
 */
const Envelope = z.object({
  metadata: z.object({
    name: z.string(),
    namespace: z.string().default(""),
    uid: z.string().default(""),
    generation: z.number().int().optional(),
    deletionTimestamp: z.unknown().optional(),
  }),
  status: ProcessGroupStatus.optional().catch(undefined),
});
export type Envelope = z.output<typeof Envelope>;

export function envelopeOf(object: unknown): Envelope | undefined {
  const parsed = Envelope.safeParse(object);
  return parsed.success ? parsed.data : undefined;
}

const api = { group: API_GROUP, version: API_VERSION, plural: PLURAL } as const;

export function processGroupStore(clients: ApiClients, cache: ObjectCache<unknown>): ProcessGroupStore {
  return {
    cached: (namespace, name) => cache.get(name, namespace),
    all: () => cache.list(),
    async read(namespace, name) {
      try {
        return (await clients.custom.getNamespacedCustomObject({ ...api, namespace, name })) as unknown;
      } catch (error) {
        if (isNotFound(error)) return undefined;
        throw error;
      }
    },
    async writeStatus(namespace, name, status) {
      // Applied (not merged) so a field this pass no longer reports is dropped, not left stale.
      const body = { apiVersion: GROUP_VERSION, kind: KIND, metadata: { name, namespace }, status };
      await clients.custom.patchNamespacedCustomObjectStatus({ ...api, namespace, name, body, fieldManager: FIELD_MANAGER, force: true }, serverSideApply);
    },
  };
}
