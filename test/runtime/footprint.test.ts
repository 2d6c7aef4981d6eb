import { describe, expect, it } from "vitest";
import { withGroup } from "./support/harness.ts";

// What a worker thread loads is paid once per thread: 15 threads pay it 15 times. A thread
// serving a Node listener needs neither undici (fetch, Response: about 3.5 MB of heap, which
// an ES import of node:http pulls in on Node 24 and 26) nor a TypeScript stripper.
describe("a worker thread's footprint", () => {
  for (const dispatch of ["connection", "request"] as const) {
    it(`loads neither undici nor a TypeScript stripper to serve a listener app (${dispatch} dispatch)`, async () => {
      await withGroup({ threads: 1, applications: [{ name: "footprint", mount: "/", entry: "footprint.mjs" }] }, async (group) => {
        expect(await group.json("/")).toEqual({ undici: false, stripper: false });
      }, { dispatch });
    });
  }
});
