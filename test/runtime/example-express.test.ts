import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { withServed } from "./support/spawned.ts";

const EXAMPLE = fileURLToPath(new URL("../../examples/express.yaml", import.meta.url));

// The README's first example: an unmodified Express server.js under `processgroup serve`.
describe("examples/express.yaml", () => {
  it("serves the unmodified server.js on four threads, with the flags in process.env", async () => {
    await withServed(EXAMPLE, async ({ url }) => {
      expect(await (await fetch(`${url}/`)).json()).toMatchObject({ hello: "world", multiprocess: "false", multithread: "true", threads: "4" });
      // Four requests that each hold a thread at once land on four threads.
      const waits = await Promise.all(Array.from({ length: 4 }, async () => (await (await fetch(`${url}/wait?ms=500`)).json()) as { thread: number }));
      expect(new Set(waits.map((w) => w.thread)).size).toBe(4);
      const echo = await fetch(`${url}/echo`, { method: "POST", headers: { "content-type": "application/json" }, body: '{"a":1}' });
      expect(await echo.json()).toEqual({ received: { a: 1 } });
    });
  });
});
