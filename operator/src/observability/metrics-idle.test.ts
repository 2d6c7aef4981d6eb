import { spawn } from "node:child_process";
import { once } from "node:events";
import { setTimeout as sleep } from "node:timers/promises";
import { fileURLToPath } from "node:url";
import { expect, it } from "vitest";
import { wakeUps } from "../../../test/support/wake-ups.ts";

const metricsModule = fileURLToPath(new URL("./metrics.ts", import.meta.url));

// A watch-driven operator has nothing to do between events; its pod should not pay for a
// timer. With prom-client's default event-loop-lag resolution (10 ms) its process metrics
// alone woke the process 98 times a second.
it("an idle process with the operator's metrics (process metrics on) wakes under 40 times a second", async () => {
  const script = `const { OperatorMetrics } = await import(${JSON.stringify(metricsModule)}); new OperatorMetrics(); console.log("ready"); setInterval(() => {}, 1 << 30);`;
  const child = spawn(process.execPath, ["--input-type=module", "-e", script], { stdio: ["ignore", "pipe", "inherit"] });
  try {
    await once(child.stdout.setEncoding("utf8"), "data");
    await sleep(300);
    const before = await wakeUps(child.pid!);
    await sleep(1_000);
    expect((await wakeUps(child.pid!)) - before).toBeLessThan(40);
  } finally {
    child.kill();
  }
});
