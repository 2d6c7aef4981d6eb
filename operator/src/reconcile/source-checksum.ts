import type { V1ConfigMap } from "@kubernetes/client-node";
import { sha256Hex, stableJson } from "./applied-hash.ts";

/**
 * A checksum of a ConfigMap source's content. It goes into the pod template, so new
 * content rolls the processes, the way touching a .wsgi file reloads mod_wsgi.
 */
export function sourceChecksumOf(configMap: Pick<V1ConfigMap, "data" | "binaryData">): string {
  return `sha256:${sha256Hex(stableJson({ data: configMap.data ?? {}, binaryData: configMap.binaryData ?? {} }))}`;
}
