import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { spawnCli, waitReady } from "./support/spawned.ts";

const EXAMPLE = fileURLToPath(new URL("../../examples/express.yaml", import.meta.url));

// The README's first example: an unmodified Express server.js under `processgroup serve`.
describe("examples/express.yaml", () => {
  it("serves the unmodified server.js on four threads, with the flags in process.env", async () => {
    const served = spawnCli(["serve", "-f", EXAMPLE, "--port", "0", "--admin-port", "0"]);
    try {
      const serving = await served.waitForLog("serving", (l) => l.msg === "serving");
      await waitReady(`http://127.0.0.1:${String(serving["adminPort"])}`);
      const url = `http://127.0.0.1:${String(serving["port"])}`;
      expect(await (await fetch(`${url}/`)).json()).toMatchObject({ hello: "world", multiprocess: "false", multithread: "true", threads: "4" });
      // Four requests that each hold a thread at once land on four threads.
      const waits = await Promise.all(Array.from({ length: 4 }, async () => (await (await fetch(`${url}/wait?ms=500`)).json()) as { thread: number }));
      expect(new Set(waits.map((w) => w.thread)).size).toBe(4);
      const echo = await fetch(`${url}/echo`, { method: "POST", headers: { "content-type": "application/json" }, body: '{"a":1}' });
      expect(await echo.json()).toEqual({ received: { a: 1 } });
    } finally {
      served.child.kill("SIGKILL");
    }
  });
});
