import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { isRunning, startProcess, stopProcesses } from "../../controlplane/processes.ts";

const quiet = (): void => {};

describe("the control plane's process supervision", () => {
  test("stops the processes it started and logs their output", async () => {
    const logDir = await mkdtemp(join(tmpdir(), "processgroup-processes-"));
    const started = startProcess({ name: "sleeper", binary: "sh", args: ["-c", "echo started; exec sleep 30"], logDir, detached: false });
    expect(isRunning(started.record)).toBe(true);
    await stopProcesses([started.record], quiet);
    expect(isRunning(started.record)).toBe(false);
    expect((await started.exited).signal).toBe("SIGTERM");
  });

  test.runIf(process.platform === "linux")("never signals a recycled pid: the kernel start time must match", async () => {
    const logDir = await mkdtemp(join(tmpdir(), "processgroup-processes-"));
    const started = startProcess({ name: "bystander", binary: "sleep", args: ["30"], logDir, detached: false });
    const stale = { ...started.record, startTime: "1" };
    expect(isRunning(stale)).toBe(false);
    await stopProcesses([stale], quiet);
    expect(isRunning(started.record)).toBe(true);
    await stopProcesses([started.record], quiet);
  });
});
