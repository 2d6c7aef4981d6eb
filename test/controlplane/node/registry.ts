import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { run } from "./commands.ts";

/** `crane registry serve`: a plain-HTTP registry on loopback, blobs on disk in the cluster dir. */
export function registryArgs(port: number, blobDir: string): string[] {
  return ["registry", "serve", "--address", `127.0.0.1:${port}`, "--disk", blobDir];
}

export const sandboxImageName = "processgroup/pause:1";

/**
 * Pushes the sandbox image: one layer holding the static pause binary. No outside registry
 * is reachable here, so the kubelet's usual registry.k8s.io/pause cannot be pulled.
 */
export async function pushSandboxImage(crane: string, pauseBinary: string, registry: string): Promise<string> {
  const work = await mkdtemp(join(tmpdir(), "pg-pause-"));
  try {
    const layer = join(work, "layer.tar");
    await run("tar", ["--owner=0", "--group=0", "-C", join(pauseBinary, ".."), "-cf", layer, "pause"]);
    const ref = `${registry}/${sandboxImageName}`;
    await run(crane, ["append", "--oci-empty-base", "-f", layer, "-t", ref]);
    await run(crane, ["mutate", ref, "--entrypoint", "/pause", "--set-platform", "linux/amd64", "-t", ref]);
    return ref;
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}
