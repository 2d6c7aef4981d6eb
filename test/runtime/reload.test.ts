import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { loadUntil } from "./support/load.ts";
import { seriesValue } from "./support/metrics.ts";
import { sleep, startGroup, until, type RunningGroup } from "./support/harness.ts";

const versioned = (version: string) => `
export default {
  async fetch(request, env) {
    if (env.pathInfo === "/slow") await new Promise((r) => setTimeout(r, 1500));
    return new Response("${version}");
  },
};
`;

describe("reload on entry change", () => {
  let dir = "";
  let group: RunningGroup | undefined;
  afterEach(async () => {
    await group?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it("replaces the group's threads: in-flight requests finish on the old code, later ones get the new, none fails", async () => {
    dir = await mkdtemp(join(tmpdir(), "pg-reload-"));
    await writeFile(join(dir, "app.mjs"), versioned("v1"));
    group = await startGroup({ threads: 2, applications: [{ name: "app", mount: "/", entry: "app.mjs" }] }, { root: dir, reloadOnChange: true });
    const running = group;
    expect(await (await running.get("/")).text()).toBe("v1");

    let stopLoad!: () => void;
    const load = loadUntil(`${running.url}/`, 4, new Promise<void>((resolve) => (stopLoad = resolve)));
    const inFlight = running.get("/slow");
    await sleep(300);
    await writeFile(join(dir, "app.mjs"), versioned("v2"));
    await until("the new code", 20_000, async () => ((await (await running.get("/")).text()) === "v2" ? true : undefined));
    await sleep(300);
    stopLoad();
    const result = await load;

    expect(await (await inFlight).text()).toBe("v1");
    expect(result.errors).toEqual([]);
    expect(Object.keys(result.statuses)).toEqual(["200"]);
    expect(result.bodies["v1"]).toBeGreaterThan(0);
    expect(result.bodies["v2"]).toBeGreaterThan(0);
    const metrics = await (await fetch(`${running.adminUrl}/metrics`)).text();
    expect(seriesValue(metrics, "processgroup_thread_recycles_total", { reason: "reload" })).toBe(2);
    // The old threads leave once their last connection has closed.
    await until("the old threads to leave", 20_000, async () => (seriesValue(await (await fetch(`${running.adminUrl}/metrics`)).text(), "processgroup_threads") === 2 ? true : undefined));
  });

  it("keeps the old code serving when the new code fails to load", async () => {
    dir = await mkdtemp(join(tmpdir(), "pg-reload-"));
    await writeFile(join(dir, "app.mjs"), versioned("v1"));
    group = await startGroup({ threads: 1, applications: [{ name: "app", mount: "/", entry: "app.mjs" }] }, { root: dir, reloadOnChange: true });
    const running = group;
    await writeFile(join(dir, "app.mjs"), "export default {}; throw new Error('broken on purpose');");
    await until("the failed reload in the log", 20_000, () => (running.logs.some((l) => String(l["error"]).includes("broken on purpose")) ? true : undefined));
    expect(await (await running.get("/")).text()).toBe("v1");
    await writeFile(join(dir, "app.mjs"), versioned("v3"));
    await until("the fixed code", 20_000, async () => ((await (await running.get("/")).text()) === "v3" ? true : undefined));
  });
});
