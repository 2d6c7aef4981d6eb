import { readFileSync } from "node:fs";
import { z } from "zod";

// versions.env is shared with build.sh, so it stays a plain KEY=VALUE file that bash can
// `source`; this reads the same file instead of repeating the pins in TypeScript.
const versionsSchema = z.object({
  KUBERNETES_VERSION: z.string().regex(/^v1\.\d+\.\d+$/),
  ETCD_VERSION: z.string().regex(/^v\d+\.\d+\.\d+$/),
  KWOK_VERSION: z.string().regex(/^v\d+\.\d+\.\d+$/),
  HELM_VERSION: z.string().regex(/^v\d+\.\d+\.\d+$/),
  CRANE_VERSION: z.string().regex(/^v\d+\.\d+\.\d+$/),
});

export type PinnedVersions = z.infer<typeof versionsSchema>;

export const versionsFile = new URL("./versions.env", import.meta.url);

export function readPinnedVersions(): PinnedVersions {
  const entries: Record<string, string> = {};
  for (const line of readFileSync(versionsFile, "utf8").split("\n")) {
    const match = /^\s*([A-Z_]+)=(\S*)\s*$/.exec(line);
    if (match?.[1] !== undefined && match[2] !== undefined) entries[match[1]] = match[2];
  }
  return versionsSchema.parse(entries);
}
