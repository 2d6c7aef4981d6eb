import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startGroup, withGroup, type RunningGroup } from "./support/harness.ts";

// WSGIApplicationGroup: apps in one group share module state (one realm per thread, shared
// by the group's apps); apps in other groups never see it. `shared` spans a group's threads.
describe("application groups", () => {
  let group: RunningGroup;
  beforeAll(async () => {
    group = await startGroup({
      threads: 1,
      applications: [
        { name: "a", mount: "/a", entry: "state-a.mjs", applicationGroup: "together" },
        { name: "b", mount: "/b", entry: "state-b.mjs", applicationGroup: "together" },
        { name: "alone", mount: "/alone", entry: "state-a.mjs" },
        { name: "g1", mount: "/g1", entry: "state-a.mjs", applicationGroup: "%{GLOBAL}" },
        { name: "g2", mount: "/g2", entry: "state-b.mjs", applicationGroup: "%{GLOBAL}" },
      ],
    });
  });
  afterAll(() => group.stop());

  it("shares module state between apps of one group and never with another group", async () => {
    const hits = async (path: string) => (await group.json<{ hits: number; applicationGroup: string }>(path)).hits;
    expect(await hits("/a")).toBe(1);
    expect(await hits("/b")).toBe(2);
    expect(await hits("/a")).toBe(3);
    // Same module file, other group: a realm of its own.
    expect(await hits("/alone")).toBe(1);
    expect(await hits("/b")).toBe(4);
  });

  it("treats %{GLOBAL} as one group shared by every app that names it", async () => {
    expect(await group.json("/g1")).toMatchObject({ hits: 1, applicationGroup: "%{GLOBAL}" });
    expect(await group.json("/g2")).toMatchObject({ hits: 2, applicationGroup: "%{GLOBAL}" });
    expect(await group.json("/alone")).toMatchObject({ hits: 2, applicationGroup: "alone" });
  });
});

describe("shared", () => {
  it("counts exactly when every thread of a group hammers it at once", async () => {
    const threads = 4;
    await withGroup({
      threads,
      applications: [
        { name: "counter", mount: "/", entry: "shared-counter.mjs" },
        { name: "other", mount: "/other", entry: "shared-counter.mjs" },
      ],
    }, async (group) => {
      const requests = 8;
      const perRequest = 100;
      const answers = await Promise.all(Array.from({ length: requests }, () => group.json<{ threadId: number }>(`/?n=${perRequest}`)));
      expect(new Set(answers.map((a) => a.threadId)).size).toBeGreaterThan(1);
      const after = await group.json<{ total: number; cas: number }>("/?n=0");
      expect(after.total).toBe(requests * perRequest);
      expect(after.cas).toBe(requests + 1);
      // Another group has a store of its own.
      expect(await group.json("/other?n=1")).toMatchObject({ total: 1, cas: 1 });
    });
  });
});
