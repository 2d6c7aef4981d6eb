import { request } from "node:http";
import { waitFor } from "./cluster.ts";

export interface Answer {
  status: number;
  body: string;
}

/** One GET on a fresh connection (no keep-alive), so each request is routed anew. */
export function get(url: string, timeoutMs = 5_000): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request(url, { agent: false, timeout: timeoutMs }, (res) => {
      let body = "";
      res.setEncoding("utf8");
      res.on("data", (chunk: string) => (body += chunk));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
      res.on("error", reject);
    });
    req.on("timeout", () => req.destroy(new Error(`timed out after ${timeoutMs} ms`)));
    req.on("error", reject);
    req.end();
  });
}

export interface LoadReport {
  sent: number;
  ok: number;
  failures: string[];
}

/**
 * Steady load: `concurrency` loops of sequential GETs until stopped. A failure is any
 * error or non-200 answer; each is kept with its reason so a test can report it.
 */
export function steadyLoad(url: string, concurrency = 4): { stop: () => Promise<LoadReport> } {
  const report: LoadReport = { sent: 0, ok: 0, failures: [] };
  let running = true;
  const loop = async (): Promise<void> => {
    while (running) {
      report.sent += 1;
      try {
        const answer = await get(url);
        if (answer.status === 200) report.ok += 1;
        else report.failures.push(`HTTP ${answer.status}: ${answer.body.slice(0, 200)}`);
      } catch (error) {
        report.failures.push(error instanceof Error ? error.message : String(error));
      }
    }
  };
  const loops = Array.from({ length: concurrency }, loop);
  return {
    stop: async () => {
      running = false;
      await Promise.all(loops);
      return report;
    },
  };
}

/**
 * Runs `change` under steady load on `url`, with a couple of seconds of load before and
 * after it (so late failures count too), prints the count and returns the report.
 */
export async function underLoad(what: string, url: string, change: () => Promise<void>): Promise<LoadReport> {
  // A Service whose pods have just become Ready may not route yet (kube-proxy programs its
  // rules a moment after the EndpointSlice changes, and refuses its address until then): the
  // load measures the change, not the Service's start.
  await waitFor(`${url} answering 200`, async () => {
    const answer = await get(url);
    return answer.status === 200 ? answer : `HTTP ${answer.status}`;
  }, 30_000);
  const load = steadyLoad(url);
  await new Promise((resolve) => setTimeout(resolve, 2_000));
  await change();
  await new Promise((resolve) => setTimeout(resolve, 2_000));
  const report = await load.stop();
  const reasons = [...new Set(report.failures)].slice(0, 5).join("; ");
  console.log(`${what}: ${report.sent} requests, ${report.failures.length} failed${reasons === "" ? "" : ` (${reasons})`}`);
  return report;
}
