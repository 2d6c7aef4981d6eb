import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { httpPodMetricsScraper } from "../../operator/src/elastic/pod-metrics-scraper.ts";
import { decideScale } from "../../operator/src/elastic/scaling-decision.ts";
import { startGroup, until, type RunningGroup } from "./support/harness.ts";

// The operator's scraper against a real runtime's admin port (real threads, real HTTP), and
// against admin ports that fail in the ways a pod's can: each such pod is unknown, not idle.

const portOf = (url: string) => Number(new URL(url).port);

function listen(handler: Parameters<typeof createServer>[1]): Promise<Server> {
  const server = createServer(handler);
  return new Promise((resolve) => server.listen({ host: "127.0.0.1", port: 0 }, () => resolve(server)));
}

describe("scraping a runtime's /metrics for an elastic decision", () => {
  let group: RunningGroup;
  beforeAll(async () => {
    group = await startGroup({ threads: 2, applications: [{ name: "block", mount: "/", entry: "block.mjs" }] });
  });
  afterAll(async () => {
    await group.stop();
  });

  test("reads busy threads, all threads and the queue while requests wait", async () => {
    const scraper = httpPodMetricsScraper({ port: portOf(group.adminUrl), timeoutMs: 1_000 });
    const target = { podName: "web-1", ip: "127.0.0.1" };
    expect(await scraper.scrape([target])).toEqual([{ podName: "web-1", sample: { kind: "known", busyThreads: 0, threads: 2, queueLength: 0 } }]);

    // Three slow requests on two threads: both busy, one waiting.
    const requests = [1, 2, 3].map(() => group.get("/sleep?ms=400").then((r) => r.status));
    const [loaded] = await until("2 busy threads and 1 queued request", 5_000, async () => {
      const results = await scraper.scrape([target]);
      const sample = results[0]?.sample;
      return sample?.kind === "known" && sample.busyThreads === 2 && sample.queueLength === 1 ? results : undefined;
    });
    expect(loaded).toEqual({ podName: "web-1", sample: { kind: "known", busyThreads: 2, threads: 2, queueLength: 1 } });
    const decision = decideScale({
      limits: { minProcesses: 1, maxProcesses: 4, targetBusyPercent: 70, scaleDownStabilizationSeconds: 300 },
      samples: loaded ? [loaded.sample] : [],
      current: 1,
      history: [],
      now: Date.now(),
    });
    expect(decision).toMatchObject({ desired: 3, reason: "QueueNotEmpty" });
    expect(await Promise.all(requests)).toEqual([200, 200, 200]);
  });

  describe("a pod that cannot be read is unknown", () => {
    const servers: Server[] = [];
    afterAll(() => {
      for (const s of servers) {
        s.closeAllConnections();
        s.close();
      }
    });
    const scrapeAt = async (server: Server, timeoutMs = 1_000) => {
      servers.push(server);
      const scraper = httpPodMetricsScraper({ port: (server.address() as AddressInfo).port, timeoutMs });
      const [result] = await scraper.scrape([{ podName: "p", ip: "127.0.0.1" }]);
      return result;
    };

    test("no answer within the timeout", async () => {
      const result = await scrapeAt(await listen(() => {}), 200);
      expect(result).toEqual({ podName: "p", sample: { kind: "unknown" }, problem: "/metrics did not answer within 200 ms" });
    });

    test("an error status", async () => {
      const result = await scrapeAt(await listen((_req, res) => res.writeHead(503).end("not ready")));
      expect(result).toEqual({ podName: "p", sample: { kind: "unknown" }, problem: "/metrics answered 503" });
    });

    test("metrics that are not the runtime's", async () => {
      const result = await scrapeAt(await listen((_req, res) => res.writeHead(200, { "content-type": "text/plain" }).end("# HELP up\nup 1\n")));
      expect(result).toEqual({ podName: "p", sample: { kind: "unknown" }, problem: "no processgroup_threads series" });
    });

    test("nothing listening", async () => {
      const server = await listen(() => {});
      const { port } = server.address() as AddressInfo;
      await new Promise((resolve) => server.close(resolve));
      const [result] = await httpPodMetricsScraper({ port, timeoutMs: 1_000 }).scrape([{ podName: "p", ip: "127.0.0.1" }]);
      expect(result?.sample).toEqual({ kind: "unknown" });
      expect(result?.problem).toMatch(/^cannot read \/metrics/);
    });
  });
});
