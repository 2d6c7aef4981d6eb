import type { V1Pod } from "@kubernetes/client-node";
import { describe, expect, it } from "vitest";
import { scrapeTargetsOf } from "./scrape-targets.ts";

const pod = (name: string, status: V1Pod["status"], deleting = false): V1Pod => ({ metadata: { name, ...(deleting ? { deletionTimestamp: new Date() } : {}) }, status });
const ready = [{ type: "Ready", status: "True" }];

describe("scrapeTargetsOf", () => {
  it("reads only ready pods with an IP that are not going away", () => {
    const pods = [
      pod("ready", { podIP: "10.1.0.2", conditions: ready }),
      pod("starting", { podIP: "10.1.0.3", conditions: [{ type: "Ready", status: "False" }] }),
      pod("draining", { podIP: "10.1.0.4", conditions: ready }, true),
      pod("no-ip", { conditions: ready }),
      pod("no-status", undefined),
      pod("ipv6", { podIP: "fd00::5", conditions: ready }),
    ];
    expect(scrapeTargetsOf(pods)).toEqual([
      { podName: "ready", ip: "10.1.0.2" },
      { podName: "ipv6", ip: "fd00::5" },
    ]);
  });
});
