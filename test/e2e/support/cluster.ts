import { inject } from "vitest";
import { setTimeout as sleep } from "node:timers/promises";
import { z } from "zod";
import { runCommand, type CommandResult } from "../../integration/support/run-command.ts";
import type { E2eCluster } from "./e2e-context.ts";

export function cluster(): E2eCluster {
  return inject("e2eCluster");
}

export function kubectl(args: readonly string[], input?: string): Promise<CommandResult> {
  const { kubectl: binary, kubeconfig } = cluster();
  return runCommand(binary, args, { env: { ...process.env, KUBECONFIG: kubeconfig }, ...(input !== undefined && { input }) });
}

/** kubectl that must succeed; returns stdout. */
export async function kubectlOk(args: readonly string[], input?: string): Promise<string> {
  const result = await kubectl(args, input);
  if (result.exitCode !== 0) throw new Error(`kubectl ${args.join(" ")} failed: ${result.stderr}`);
  return result.stdout;
}

const podSchema = z.object({
  metadata: z.object({ name: z.string(), labels: z.record(z.string(), z.string()).optional(), deletionTimestamp: z.string().optional() }),
  spec: z.object({
    securityContext: z.record(z.string(), z.unknown()).optional(),
    containers: z.array(z.object({ name: z.string(), image: z.string(), securityContext: z.record(z.string(), z.unknown()).optional() })),
  }),
  status: z.object({
    phase: z.string().optional(),
    podIP: z.string().optional(),
    conditions: z.array(z.object({ type: z.string(), status: z.string() })).optional(),
    containerStatuses: z.array(z.object({ name: z.string(), ready: z.boolean(), restartCount: z.number() })).optional(),
  }),
});
export type Pod = z.infer<typeof podSchema>;

export async function pods(namespace: string, selector: string): Promise<Pod[]> {
  const out = await kubectlOk(["get", "pods", "-n", namespace, "-l", selector, "-o", "json"]);
  return z.object({ items: z.array(podSchema) }).parse(JSON.parse(out)).items;
}

export const isReady = (pod: Pod): boolean =>
  pod.metadata.deletionTimestamp === undefined && pod.status.conditions?.some((c) => c.type === "Ready" && c.status === "True") === true;

/** Polls until `check` returns a value; the last reason goes into the timeout's message. */
export async function waitFor<T>(what: string, check: () => Promise<T | string>, timeoutMs = 150_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last = "";
  while (Date.now() < deadline) {
    try {
      const result = await check();
      if (typeof result !== "string") return result;
      last = result;
    } catch (error) {
      last = error instanceof Error ? error.message : String(error);
    }
    await sleep(500);
  }
  throw new Error(`${what} within ${timeoutMs / 1000}s: last ${last}`);
}

/** `count` Ready pods of the selector, and no other (a rollout or scale-down has settled). */
export function readyPods(namespace: string, selector: string, count: number): Promise<Pod[]> {
  return waitFor(`${count} Ready pods of ${selector} in ${namespace}`, async () => {
    const all = await pods(namespace, selector);
    const ready = all.filter(isReady);
    return ready.length === count && all.length === count ? ready : `${ready.length} Ready of ${all.length}`;
  });
}

/** A namespace that enforces the restricted Pod Security profile, as production ones should. */
export async function restrictedNamespace(name: string): Promise<string> {
  await kubectlOk(["create", "namespace", name]);
  await kubectlOk(["label", "namespace", name, "pod-security.kubernetes.io/enforce=restricted"]);
  return name;
}

export async function deleteNamespace(name: string): Promise<void> {
  await kubectl(["delete", "namespace", name, "--wait=false"]);
}

export const groupStatusSchema = z.object({
  processes: z.number().optional(),
  desiredProcesses: z.number().optional(),
  readyProcesses: z.number().optional(),
  multiprocess: z.boolean().optional(),
  multithread: z.boolean().optional(),
});

export async function groupStatus(namespace: string, name: string): Promise<z.infer<typeof groupStatusSchema>> {
  const out = await kubectlOk(["get", "processgroup", name, "-n", namespace, "-o", "jsonpath={.status}"]);
  return out === "" ? {} : groupStatusSchema.parse(JSON.parse(out));
}

export async function serviceAddress(namespace: string, name: string, port: string): Promise<string> {
  const ip = await kubectlOk(["get", "service", name, "-n", namespace, "-o", "jsonpath={.spec.clusterIP}"]);
  const number = await kubectlOk(["get", "service", name, "-n", namespace, "-o", `jsonpath={.spec.ports[?(@.name=="${port}")].port}`]);
  return `${ip}:${number}`;
}
