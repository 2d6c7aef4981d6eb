import { KubeConfig } from "@kubernetes/client-node";
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { ControlPlaneState } from "../../controlplane/control-plane-state.ts";
import { startProcess, type ProcessRecord } from "../../controlplane/processes.ts";
import { waitUntilReady } from "../../controlplane/readiness.ts";

// For tests that stop a control plane's API server (on a control plane of their own): start it
// again with the same arguments, or start a second one on the same etcd, through which the
// test changes things while the first is down.

/** The control plane's first kube-apiserver: its record, command-line arguments (Linux /proc) and port. */
export async function firstApiserver(cp: ControlPlaneState): Promise<{ record: ProcessRecord; args: string[]; port: number }> {
  const record = cp.processes.find((p) => p.name === "kube-apiserver");
  if (!record) throw new Error("no kube-apiserver in the control plane state");
  const raw = await readFile(`/proc/${record.pid}/cmdline`, "utf8");
  return { record, args: raw.split("\0").filter(Boolean).slice(1), port: Number(new URL(cp.server).port) };
}

/** Starts a kube-apiserver with `args` on `port`, records it with the control plane (so stopping that stops it) and waits until ready. */
export async function startApiserver(cp: ControlPlaneState, name: string, args: readonly string[], port: number): Promise<ProcessRecord> {
  const withPort = args.map((a) => (a.startsWith("--secure-port=") ? `--secure-port=${port}` : a));
  const binary = cp.processes.find((p) => p.name === "kube-apiserver")?.binary ?? "";
  const child = startProcess({ name, binary, args: withPort, logDir: cp.logDir, detached: false });
  cp.processes.push(child.record);
  // /readyz is public to anonymous users; this loopback probe needs no client certificate.
  await waitUntilReady(child, `https://127.0.0.1:${port}/readyz`, { tls: { insecure: true }, timeoutMs: 120_000 });
  return child.record;
}

/** The control plane's admin kubeconfig pointed at the API server on `port`, written to `dir`. */
export async function kubeConfigOn(cp: ControlPlaneState, dir: string, port: number): Promise<{ kubeConfig: KubeConfig; file: string }> {
  const text = (await readFile(cp.kubeconfig, "utf8")).replace(cp.server, `https://127.0.0.1:${port}`);
  const file = join(dir, `kubeconfig-${port}`);
  await writeFile(file, text);
  const kubeConfig = new KubeConfig();
  kubeConfig.loadFromFile(file);
  return { kubeConfig, file };
}
