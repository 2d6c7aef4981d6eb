import { VersionApi, type KubeConfig } from "@kubernetes/client-node";
import { readFile } from "node:fs/promises";
import { z } from "zod";
import { readPinnedVersions } from "../../test/controlplane/versions.ts";
import type { OperatorBenchResult } from "./result.ts";

const packageVersion = z.object({ version: z.string() });

async function versionOf(packageJson: URL): Promise<string> {
  return packageVersion.parse(JSON.parse(await readFile(packageJson, "utf8"))).version;
}

/** What ran: the apiserver's own answer for Kubernetes, the pins for etcd and kwok. */
export async function collectVersions(kc: KubeConfig): Promise<OperatorBenchResult["versions"]> {
  const pinned = readPinnedVersions();
  return {
    kubernetes: (await kc.makeApiClient(VersionApi).getCode()).gitVersion,
    etcd: pinned.ETCD_VERSION,
    kwok: pinned.KWOK_VERSION,
    node: process.version,
    operator: await versionOf(new URL("../../package.json", import.meta.url)),
    clientNode: await versionOf(new URL("../../node_modules/@kubernetes/client-node/package.json", import.meta.url)),
  };
}
