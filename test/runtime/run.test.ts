import { describe, expect, it } from "vitest";
import { FIXTURES, sleep } from "./support/harness.ts";
import { freePorts } from "../controlplane/ports.ts";
import { spawnCli, titleOf, waitReady } from "./support/spawned.ts";

// `processgroup run`: the pod's command, configured only by the operator-runtime contract.
describe("processgroup run", () => {
  it("serves from the contract's environment, drains on SIGTERM within the graceful timeout, and exits 0", async () => {
    const [port, adminPort] = await freePorts(2);
    const config = {
      threads: 2,
      displayName: "%{GROUP}-runtime",
      gracefulTimeoutSeconds: 2,
      shutdownTimeoutSeconds: 2,
      root: FIXTURES,
      applications: [
        { name: "echo", mount: "/echo", entry: "echo.mjs" },
        { name: "work", mount: "/", entry: "work.mjs" },
      ],
    };
    const running = spawnCli(["run"], {
      PROCESSGROUP_NAME: "solo",
      PROCESSGROUP_THREADS: "2",
      PROCESSGROUP_MULTIPROCESS: "true",
      PROCESSGROUP_MULTITHREAD: "true",
      PROCESSGROUP_PORT: String(port),
      PROCESSGROUP_ADMIN_PORT: String(adminPort),
      PROCESSGROUP_CONFIG: JSON.stringify(config),
    });
    try {
      await waitReady(`http://127.0.0.1:${adminPort}`);
      const url = `http://127.0.0.1:${port}`;
      expect(await (await fetch(`${url}/echo/x`)).json()).toMatchObject({ processGroup: "solo", multiprocess: true, multithread: true, threads: 2, pathInfo: "/x" });
      expect(await titleOf(running.child.pid!)).toBe("solo-runtime");

      const quick = fetch(`${url}/sleep?ms=700`);
      const tooSlow = fetch(`${url}/sleep?ms=20000`);
      await sleep(200);
      running.child.kill("SIGTERM");
      await sleep(100);
      expect((await fetch(`http://127.0.0.1:${adminPort}/readyz`)).status).toBe(503);
      expect((await quick).status).toBe(200);
      const cut = await tooSlow;
      expect(cut.status).toBe(503);
      expect(await cut.text()).toContain("shutting down");
      expect(await running.exited).toBe(0);
      expect(running.logs.map((l) => l.msg)).toEqual(expect.arrayContaining(["ready", "draining", "graceful timeout: answering what is left with 503", "stopped"]));
    } finally {
      if (running.child.exitCode === null) running.child.kill("SIGKILL");
    }
  });

  it("refuses an environment that breaks the contract, naming each variable", async () => {
    const running = spawnCli(["run"], { PROCESSGROUP_NAME: "bad", PROCESSGROUP_THREADS: "zero", PROCESSGROUP_MULTIPROCESS: "maybe", PROCESSGROUP_MULTITHREAD: "true", PROCESSGROUP_CONFIG: "{" });
    expect(await running.exited).toBe(1);
    expect(running.stderr()).toContain("PROCESSGROUP_THREADS: must be an integer >= 1");
    expect(running.stderr()).toContain("PROCESSGROUP_MULTIPROCESS: must be true or false");
    expect(running.stderr()).toContain("PROCESSGROUP_CONFIG: must be JSON");
  });
});
