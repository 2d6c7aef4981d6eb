import type { PodSample } from "./scaling-decision.ts";
import { threadMetricsOf } from "./runtime-metrics-text.ts";

// Reads a ready pod's runtime /metrics straight from its IP (the operator runs in the
// cluster, and the admin port answers without queueing behind app requests). A pod that does
// not answer in time, answers non-2xx or without the runtime's series is unknown, never idle.

export interface ScrapeTarget {
  readonly podName: string;
  readonly ip: string;
}

export interface ScrapeResult {
  readonly podName: string;
  readonly sample: PodSample;
  /** Why the sample is unknown. */
  readonly problem?: string;
}

export interface PodMetricsScraper {
  scrape(targets: readonly ScrapeTarget[]): Promise<ScrapeResult[]>;
}

/** Bigger than a runtime's /metrics with many application groups; more is not a runtime. */
const MAX_BODY_BYTES = 1 << 20;

export function urlOf(ip: string, port: number): string {
  return `http://${ip.includes(":") ? `[${ip}]` : ip}:${port}/metrics`;
}

export function httpPodMetricsScraper(options: { port: number; timeoutMs: number }): PodMetricsScraper {
  const scrapeOne = async (target: ScrapeTarget): Promise<ScrapeResult> => {
    const unknown = (problem: string): ScrapeResult => ({ podName: target.podName, sample: { kind: "unknown" }, problem });
    try {
      const response = await fetch(urlOf(target.ip, options.port), { signal: AbortSignal.timeout(options.timeoutMs), redirect: "error" });
      if (!response.ok) {
        await response.body?.cancel();
        return unknown(`/metrics answered ${response.status}`);
      }
      const length = Number(response.headers.get("content-length") ?? "0");
      if (length > MAX_BODY_BYTES) {
        await response.body?.cancel();
        return unknown(`/metrics is ${length} bytes, more than ${MAX_BODY_BYTES}`);
      }
      const metrics = threadMetricsOf(await response.text());
      return metrics.ok ? { podName: target.podName, sample: { kind: "known", ...metrics.value } } : unknown(metrics.problem);
    } catch (error) {
      const name = error instanceof Error ? error.name : "";
      return unknown(name === "TimeoutError" ? `/metrics did not answer within ${options.timeoutMs} ms` : `cannot read /metrics: ${error instanceof Error ? error.message : String(error)}`);
    }
  };
  return { scrape: (targets) => Promise.all(targets.map(scrapeOne)) };
}
