import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { BusyMeter } from "./busy-meter.ts";

describe("BusyMeter", () => {
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ["setInterval", "clearInterval"] });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it("publishes nothing before start()", () => {
    const published: number[] = [];
    new BusyMeter((u) => published.push(u), 100);
    vi.advanceTimersByTime(1_000);
    expect(published).toEqual([]);
  });

  it("publishes a utilization between 0 and 1 every period once started, and once more (0) on stop()", () => {
    const published: number[] = [];
    const meter = new BusyMeter((u) => published.push(u), 100);
    meter.start();
    vi.advanceTimersByTime(250);
    expect(published).toHaveLength(2);
    for (const u of published) {
      expect(u).toBeGreaterThanOrEqual(0);
      expect(u).toBeLessThanOrEqual(1);
    }
    meter.stop();
    expect(published.at(-1)).toBe(0);
    vi.advanceTimersByTime(1_000);
    expect(published).toHaveLength(3);
  });

  it("runs one timer however often it is started, and stops only once", () => {
    const published: number[] = [];
    const meter = new BusyMeter((u) => published.push(u), 100);
    meter.start();
    meter.start();
    vi.advanceTimersByTime(100);
    expect(published).toHaveLength(1);
    meter.stop();
    meter.stop();
    expect(published).toHaveLength(2);
    meter.start();
    vi.advanceTimersByTime(100);
    expect(published).toHaveLength(3);
  });
});
