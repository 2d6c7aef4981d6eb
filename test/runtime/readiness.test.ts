import { describe, expect, it } from "vitest";
import { withGroup } from "./support/harness.ts";

describe("preload and readiness", () => {
  it("imports preload modules in the group's realm before reporting ready", async () => {
    await withGroup({
      threads: 1,
      preload: [{ module: "preload-mark.mjs", applicationGroup: "marked" }],
      applications: [
        { name: "marked", mount: "/marked", entry: "preloaded.mjs", applicationGroup: "marked" },
        { name: "plain", mount: "/plain", entry: "preloaded.mjs" },
      ],
    }, async (group) => {
      const ready = await fetch(`${group.adminUrl}/readyz`);
      expect(ready.status).toBe(200);
      expect((await fetch(`${group.adminUrl}/healthz`)).status).toBe(200);
      expect(await group.json("/marked")).toEqual({ preloaded: true });
      expect(await group.json("/plain")).toEqual({ preloaded: false });
    });
  });

  it("is not ready while an application fails to load, says why in the log, and answers its requests 500", async () => {
    await withGroup({
      threads: 1,
      applications: [
        { name: "good", mount: "/", entry: "echo.mjs" },
        { name: "broken", mount: "/broken", entry: "broken.mjs" },
        { name: "shapeless", mount: "/shapeless", entry: "not-an-app.mjs" },
      ],
    }, async (group) => {
      const ready = await fetch(`${group.adminUrl}/readyz`);
      expect(ready.status).toBe(503);
      const reasons = await ready.text();
      expect(reasons).toContain("application group broken failed to load: Error: this application cannot load");
      expect(reasons).toContain("the default export must be a fetch-style handler");
      expect(group.logs.some((l) => l.msg === "application group failed to load" && String(l["error"]).includes("this application cannot load"))).toBe(true);
      const res = await group.get("/broken/x");
      expect(res.status).toBe(500);
      // The client learns that it failed, not why: the error stays in the log and /readyz.
      const body = await res.text();
      expect(body).toContain("application group broken failed to load");
      expect(body).not.toContain("this application cannot load");
      expect((await group.get("/")).status).toBe(200);
    });
  });
});
