import type { KubernetesObject } from "@kubernetes/client-node";
import { createHash } from "node:crypto";

/**
 * A hash of everything we apply to a child, kept on it as an annotation. The subset test
 * (covers) cannot see a field we stopped setting (an env var removed from the spec); a
 * changed hash can, and sends the apply that makes the server drop it.
 */
export const APPLIED_HASH_ANNOTATION = "processgroup.dev/applied-hash";

/** JSON with object keys sorted, so equal objects hash equal. */
export function stableJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    typeof v === "object" && v !== null && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : v,
  );
}

export function sha256Hex(text: string): string {
  return createHash("sha256").update(text).digest("hex");
}

export function withAppliedHash<T extends KubernetesObject>(object: T): T {
  const hash = sha256Hex(stableJson(object)).slice(0, 16);
  const metadata = object.metadata ?? {};
  return { ...object, metadata: { ...metadata, annotations: { ...metadata.annotations, [APPLIED_HASH_ANNOTATION]: hash } } };
}
