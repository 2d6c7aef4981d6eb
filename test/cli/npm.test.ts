import { spawn } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, describe, expect, it } from "vitest";
import { collectJsonLines, type LogLine } from "../support/json-lines.ts";
import { processGroupYaml } from "../support/process-group-yaml.ts";
import { until } from "../support/until.ts";
import { repoRoot } from "./run-cli.ts";
import { isAlive } from "./spawn-cli.ts";

const fixture = fileURLToPath(new URL("./fixtures/slow.mjs", import.meta.url));
const file = join(mkdtempSync(join(tmpdir(), "pg-cli-npm-")), "group.yaml");
writeFileSync(file, processGroupYaml("under-npm", `  threads: 1\n  applications:\n    - name: slow\n      mount: /\n      entry: ${fixture}\n`));

const started: number[] = [];
afterEach(() => {
  for (const pid of started.splice(0)) if (isAlive(pid)) process.kill(pid, "SIGKILL");
});

/** Runs an npm command in the repository and returns its process and the server's log lines. */
function npm(args: string[]) {
  const child = spawn("npm", args, { cwd: repoRoot, stdio: ["ignore", "pipe", "pipe"] });
  const logs: LogLine[] = [];
  collectJsonLines(child.stdout!, logs);
  child.stderr!.resume();
  const exited = new Promise<void>((resolve) => child.on("exit", () => resolve()));
  return { child, logs, exited };
}

async function stopsWhenNpmIsTerminated(args: string[]): Promise<LogLine> {
  const run = npm(args);
  const serving = await until("serving", 60_000, () => run.logs.find((l) => l.msg === "serving"));
  const supervisor = Number(serving["pid"]);
  const pids = [supervisor, ...new Set(run.logs.filter((l) => l.msg === "listening").map((l) => Number(l["pid"])))];
  started.push(...pids);
  run.child.kill("SIGTERM");
  await run.exited;
  await until("the server to stop", 30_000, () => (pids.every((pid) => !isAlive(pid)) ? true : undefined));
  return await until("the supervisor's stop line", 5_000, () => run.logs.find((l) => l.msg?.includes("stopping every process") && l["pid"] === supervisor));
}

// npm does not forward signals to the command it runs: `kill` of npm used to leave the server running.
describe("processgroup serve under npm", () => {
  it("npm start passes SIGTERM on (its script execs the bin)", { timeout: 90_000 }, async () => {
    const stop = await stopsWhenNpmIsTerminated(["start", "--", "-f", file, "--name", "under-npm", "--port", "0", "--admin-port", "0"]);
    expect(stop["signal"]).toBe("SIGTERM");
  });

  it("npx processgroup serve stops when npx is terminated, though npx does not pass the signal on", { timeout: 90_000 }, async () => {
    const stop = await stopsWhenNpmIsTerminated(["exec", "--", "processgroup", "serve", "-f", file, "--port", "0", "--admin-port", "0"]);
    expect(stop["signal"]).toBe("parent-exit");
    expect(stop.msg).toBe("npm exited (it does not forward signals): stopping every process");
  });
});
