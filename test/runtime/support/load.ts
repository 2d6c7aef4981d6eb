import { Agent, request } from "node:http";

export interface LoadResult {
  readonly total: number;
  readonly statuses: Readonly<Record<number, number>>;
  /** Requests that got no HTTP answer at all (reset, refused, ...). */
  readonly errors: readonly string[];
  /** Response bodies seen, counted (to tell old code from new). */
  readonly bodies: Readonly<Record<string, number>>;
}

/**
 * A small closed-loop load generator: `concurrency` keep-alive clients each send GET `path`
 * again as soon as the last answer arrived, until `stop()` resolves. Bounded by design:
 * it only runs while the test awaits it, against loopback.
 */
export async function loadUntil(url: string, concurrency: number, stop: Promise<unknown>, maxRequests = 20_000): Promise<LoadResult> {
  const agent = new Agent({ keepAlive: true, maxSockets: concurrency });
  const statuses: Record<number, number> = {};
  const bodies: Record<string, number> = {};
  const errors: string[] = [];
  let total = 0;
  let stopped = false;
  void stop.then(() => (stopped = true));
  const one = () =>
    new Promise<void>((resolve) => {
      const req = request(url, { agent }, (res) => {
        let body = "";
        res.setEncoding("utf8");
        res.on("data", (c: string) => (body += c));
        res.on("end", () => {
          statuses[res.statusCode ?? 0] = (statuses[res.statusCode ?? 0] ?? 0) + 1;
          const key = res.statusCode === 200 ? body.slice(0, 80) : `${res.statusCode}: ${body.slice(0, 200)}`;
          bodies[key] = (bodies[key] ?? 0) + 1;
          resolve();
        });
        res.on("error", (e) => {
          errors.push(String(e));
          resolve();
        });
      });
      req.on("error", (e) => {
        errors.push(String(e));
        resolve();
      });
      req.end();
    });
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (!stopped && total < maxRequests) {
        total += 1;
        await one();
      }
    }),
  );
  agent.destroy();
  return { total, statuses, errors, bodies };
}
