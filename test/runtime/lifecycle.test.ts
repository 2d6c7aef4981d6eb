import { describe, expect, it } from "vitest";
import { seriesValue } from "./support/metrics.ts";
import { sleep, until, withGroup } from "./support/harness.ts";

const metricsOf = async (adminUrl: string) => (await fetch(`${adminUrl}/metrics`)).text();

describe("maximumRequests", () => {
  it("replaces a thread after that many requests, the new thread first, failing none", async () => {
    await withGroup({ threads: 1, maximumRequests: 3, applications: [{ name: "work", mount: "/", entry: "work.mjs" }] }, async (group) => {
      // The old thread keeps serving until its replacement has loaded, so capacity never
      // drops to zero; then the new one takes over and the old one never answers again.
      const seen: number[] = [];
      const serve = async () => {
        const res = await group.get("/");
        expect(res.status).toBe(200);
        seen.push(((await res.json()) as { threadId: number }).threadId);
      };
      await until("a replaced thread", 20_000, async () => (await serve(), new Set(seen).size === 2 ? true : undefined));
      for (let i = 0; i < 2; i++) await serve();
      const [first] = seen;
      const firstRun = seen.filter((id) => id === first).length;
      expect(firstRun).toBeGreaterThanOrEqual(3);
      expect(seen.slice(firstRun).every((id) => id !== first)).toBe(true);
      expect(seriesValue(await metricsOf(group.adminUrl), "processgroup_thread_recycles_total", { reason: "maximum-requests" })).toBeGreaterThanOrEqual(1);
    });
  });
});

describe.each(["connection", "request"] as const)("requestTimeoutSeconds, in %s dispatch", (dispatch) => {
  it("answers 504 to a request that runs too long, replaces its thread, and leaves others alone", async () => {
    await withGroup({ threads: 2, requestTimeoutSeconds: 1, applications: [{ name: "work", mount: "/", entry: "work.mjs" }] }, async (group) => {
      const stuck = group.get("/sleep?ms=20000");
      await sleep(100);
      const fine = await group.get("/sleep?ms=300");
      expect(fine.status).toBe(200);
      const timedOut = await stuck;
      expect(timedOut.status).toBe(504);
      expect(await timedOut.text()).toContain("request timeout");
      await until("a replacement thread", 20_000, async () => (seriesValue(await metricsOf(group.adminUrl), "processgroup_threads", { state: "idle" }) === 2 ? true : undefined));
      expect((await group.get("/")).status).toBe(200);
      expect(seriesValue(await metricsOf(group.adminUrl), "processgroup_thread_recycles_total", { reason: "request-timeout" })).toBe(1);
      // Like every other recycle reason, it is logged.
      expect(group.logs.find((l) => l.msg === "a request ran past the request timeout: replacing its thread")).toMatchObject({ requestTimeoutSeconds: 1 });
    }, { dispatch });
  });
});

// Request dispatch answers for a thread that dies; in connection dispatch the thread's
// connections close with it (connection-dispatch.test.ts).
describe("a thread that dies, in request dispatch", () => {
  it("fails only its own request and is replaced", async () => {
    await withGroup({
      threads: 2,
      threadMemoryLimitMegabytes: 16,
      applications: [
        { name: "crash", mount: "/crash", entry: "crash.mjs", applicationGroup: "fragile" },
        { name: "work", mount: "/work", entry: "work.mjs", applicationGroup: "fragile" },
      ],
    }, async (group) => {
      const cases: [string, number, RegExp][] = [
        ["/crash/throw", 502, /died \(crash\): thrown outside the request/],
        ["/crash/exit", 502, /died \(crash\): the thread exited with code 3/],
        ["/crash/oom", 503, /died \(memory-limit\)/],
      ];
      for (const [path, status, message] of cases) {
        const neighbour = group.get("/work/sleep?ms=400");
        const res = await group.get(path);
        expect(res.status, path).toBe(status);
        expect(await res.text()).toMatch(message);
        expect((await neighbour).status).toBe(200);
        await until("two threads again", 20_000, async () => (seriesValue(await metricsOf(group.adminUrl), "processgroup_threads", { state: "idle" }) === 2 ? true : undefined));
      }
      const rejected = await group.get("/crash/reject");
      expect(rejected.status).toBe(500);
      expect(await rejected.text()).toContain("the handler rejected");
      expect((await group.get("/crash/ok")).status).toBe(200);
      const metrics = await metricsOf(group.adminUrl);
      expect(seriesValue(metrics, "processgroup_thread_recycles_total", { reason: "crash" })).toBe(2);
      expect(seriesValue(metrics, "processgroup_thread_recycles_total", { reason: "memory-limit" })).toBe(1);
      expect(group.logs.some((l) => l.msg === "a thread died")).toBe(true);
    }, { dispatch: "request" });
  });
});

describe("restartIntervalSeconds", () => {
  it("replaces every thread periodically", async () => {
    await withGroup({ threads: 1, restartIntervalSeconds: 1, applications: [{ name: "work", mount: "/", entry: "work.mjs" }] }, async (group) => {
      const first = (await group.json<{ threadId: number }>("/")).threadId;
      const later = await until("a new thread", 20_000, async () => {
        const res = await group.get("/");
        expect(res.status).toBe(200);
        const { threadId } = (await res.json()) as { threadId: number };
        return threadId !== first ? threadId : undefined;
      });
      expect(later).not.toBe(first);
      expect(seriesValue(await metricsOf(group.adminUrl), "processgroup_thread_recycles_total", { reason: "restart-interval" })).toBeGreaterThanOrEqual(1);
    });
  });
});

describe.each(["connection", "request"] as const)("the wait queue, in %s dispatch", (dispatch) => {
  it("holds at most listenBacklog requests and answers 503 with Retry-After after queueTimeoutSeconds", async () => {
    await withGroup({ threads: 1, queueTimeoutSeconds: 1, listenBacklog: 2, applications: [{ name: "work", mount: "/", entry: "work.mjs" }] }, async (group) => {
      const busy = group.get("/sleep?ms=2500");
      await sleep(100);
      const waiting = [group.get("/"), group.get("/")];
      await sleep(100);
      const overflow = await group.get("/");
      expect(overflow.status).toBe(503);
      expect(await overflow.text()).toContain("requests are already waiting");
      for (const res of await Promise.all(waiting)) {
        expect(res.status).toBe(503);
        expect(res.headers.get("retry-after")).toBe("1");
        expect(await res.text()).toContain("queue timeout");
      }
      expect((await busy).status).toBe(200);
      const metrics = await metricsOf(group.adminUrl);
      expect(seriesValue(metrics, "processgroup_queue_wait_seconds_count")).toBe(2);
      // A connection refused before a thread read its request has no application yet.
      expect(seriesValue(metrics, "processgroup_requests_total", { application: dispatch === "request" ? "work" : "(unread)", status: "503" })).toBe(3);
    }, { dispatch });
  });

  it("never leaves a request waiting behind a slow one while another thread is free", async () => {
    await withGroup({ threads: 2, applications: [{ name: "work", mount: "/", entry: "work.mjs" }] }, async (group) => {
      const order: string[] = [];
      const track = (name: string, path: string) => group.get(path).then(async (res) => (order.push(name), expect(res.status).toBe(200), await res.text()));
      const slow = track("slow", "/sleep?ms=3000");
      const short = track("short", "/sleep?ms=300");
      await sleep(100);
      // Both threads are busy: these wait in the main thread for the first to finish.
      const waiting = [track("waiting", "/sleep?ms=10"), track("waiting", "/sleep?ms=10")];
      await Promise.all([slow, short, ...waiting]);
      expect(order).toEqual(["short", "waiting", "waiting", "slow"]);
      // A keep-alive client may send a request on the slow one's connection, which in
      // connection dispatch waits for that thread (connection-dispatch.test.ts).
    }, { dispatch: "request" });
  });

  it("serves queued requests in order as threads free up", async () => {
    await withGroup({ threads: 1, applications: [{ name: "work", mount: "/", entry: "work.mjs" }] }, async (group) => {
      const answers = await Promise.all(Array.from({ length: 6 }, () => group.get("/sleep?ms=50")));
      expect(answers.map((r) => r.status)).toEqual([200, 200, 200, 200, 200, 200]);
      expect(seriesValue(await metricsOf(group.adminUrl), "processgroup_queue_wait_seconds_count")).toBeGreaterThanOrEqual(5);
    }, { dispatch });
  });
});

// Crashes fail their own request only in request dispatch.
describe("replacements that overlap, in request dispatch", () => {
  it("keeps exactly `threads` threads when recycling, restarts and crashes coincide under load", async () => {
    await withGroup({
      threads: 2,
      maximumRequests: 5,
      restartIntervalSeconds: 1,
      applications: [
        { name: "work", mount: "/", entry: "work.mjs", applicationGroup: "busy" },
        { name: "crash", mount: "/crash", entry: "slow-start.mjs", applicationGroup: "busy" },
      ],
    }, async (group) => {
      const deadline = Date.now() + 2000;
      const statuses = new Map<number, number>();
      await Promise.all(
        Array.from({ length: 3 }, async (_, i) => {
          for (let n = 0; Date.now() < deadline; n++) {
            const path = i === 0 && n % 7 === 6 ? "/crash/throw" : "/sleep?ms=20";
            const status = (await group.get(path)).status;
            statuses.set(status, (statuses.get(status) ?? 0) + 1);
          }
        }),
      );
      expect([...statuses.keys()].every((s) => s === 200 || s === 502)).toBe(true);
      await until("the pool to settle at two threads", 20_000, async () => {
        const metrics = await metricsOf(group.adminUrl);
        return seriesValue(metrics, "processgroup_threads") === 2 && seriesValue(metrics, "processgroup_threads", { state: "idle" }) === 2 ? true : undefined;
      });
      await sleep(1000);
      expect(seriesValue(await metricsOf(group.adminUrl), "processgroup_threads")).toBe(2);
    }, { dispatch: "request" });
  });
});
