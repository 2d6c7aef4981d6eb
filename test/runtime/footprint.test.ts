import { readFile } from "node:fs/promises";
import { setTimeout as sleep } from "node:timers/promises";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { withGroup } from "./support/harness.ts";
import { groupFile, withServed } from "./support/spawned.ts";
import { wakeUps } from "../support/wake-ups.ts";

const LEAN = { undici: false, stripper: false, crypto: false, childProcess: false };

/** A group file for `serve`: one app that reports what its thread loaded. */
function footprintGroup(name: string, threads: number): Promise<string> {
  return groupFile(`
apiVersion: processgroup.dev/v1alpha1
kind: ProcessGroup
metadata:
  name: ${name}
spec:
  threads: ${threads}
  applications:
    - name: footprint
      mount: /
      entry: ${fileURLToPath(new URL("./fixtures/footprint.mjs", import.meta.url))}
`);
}

// What a worker thread loads is paid once per thread: 15 threads pay it 15 times. A thread
// serving a Node listener needs neither undici (fetch, Response: about 3.5 MB of heap, which
// an ES import of node:http pulls in on Node 24 and 26) nor a TypeScript stripper, nor the
// crypto and child_process that only the stripped-module cache of its process uses.
describe("a worker thread's footprint", () => {
  for (const dispatch of ["connection", "request"] as const) {
    it(`loads neither undici nor a TypeScript stripper to serve a listener app (${dispatch} dispatch)`, async () => {
      await withGroup({ threads: 1, applications: [{ name: "footprint", mount: "/", entry: "footprint.mjs" }] }, async (group) => {
        expect(await group.json("/")).toEqual(LEAN);
      }, { dispatch });
    });
  }

  // A `serve` process starts with `--import` of the cache's hook, and its threads inherit it.
  it("is as lean in a process `processgroup serve` started", async () => {
    const file = await footprintGroup("lean", 1);
    await withServed(file, async ({ url }) => {
      expect(await (await fetch(`${url}/`)).json()).toEqual(LEAN);
    });
  });
});

// An idle server costs a pod CPU for every wake-up, and under load each one can preempt a
// thread that serves requests. prom-client's event-loop-lag histogram (its 10 ms default) and
// every thread's measure of its own busyness woke an idle process of four threads 159 times a
// second; node:cluster's processes sleep.
describe("an idle `serve` process", () => {
  it("sleeps: all its threads together wake under 30 times a second, with four worker threads", async () => {
    const file = await footprintGroup("idle", 4);
    await withServed(file, async ({ served, url }) => {
      // A request and its closed connection: each thread may have served one, as in life.
      for (let i = 0; i < 4; i++) await (await fetch(`${url}/`, { headers: { connection: "close" } })).text();
      const supervisor = served.child.pid!;
      const child = Number((await readFile(`/proc/${supervisor}/task/${supervisor}/children`, "utf8")).trim().split(" ")[0]);
      // Let the threads see their connections close.
      await sleep(500);
      const before = await wakeUps(child);
      await sleep(2_000);
      expect((await wakeUps(child)) - before).toBeLessThan(60);
    });
  });
});
