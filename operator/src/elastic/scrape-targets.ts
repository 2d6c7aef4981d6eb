import type { V1Pod } from "@kubernetes/client-node";
import type { ScrapeTarget } from "./pod-metrics-scraper.ts";

/**
 * The pods whose /metrics an elastic decision reads: Ready, not going away, with an IP. A
 * pod that is starting or draining serves no share of the load the decision is about.
 */
export function scrapeTargetsOf(pods: readonly V1Pod[]): ScrapeTarget[] {
  return pods.flatMap((pod) => {
    const name = pod.metadata?.name;
    const ip = pod.status?.podIP;
    const ready = pod.status?.conditions?.some((c) => c.type === "Ready" && c.status === "True") ?? false;
    if (!name || !ip || !ready || pod.metadata?.deletionTimestamp !== undefined) return [];
    return [{ podName: name, ip }];
  });
}
