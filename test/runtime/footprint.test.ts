import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { withGroup } from "./support/harness.ts";
import { groupFile, withServed } from "./support/spawned.ts";

const LEAN = { undici: false, stripper: false, crypto: false, childProcess: false };

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
    const file = await groupFile(`
apiVersion: processgroup.dev/v1alpha1
kind: ProcessGroup
metadata:
  name: lean
spec:
  threads: 1
  applications:
    - name: footprint
      mount: /
      entry: ${fileURLToPath(new URL("./fixtures/footprint.mjs", import.meta.url))}
`);
    await withServed(file, async ({ url }) => {
      expect(await (await fetch(`${url}/`)).json()).toEqual(LEAN);
    });
  });
});
