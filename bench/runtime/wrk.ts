// Runs wrk, the load generator, as a separate process on this machine.
import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { parseWrkOutput, type WrkResult } from "./wrk-result.ts";

const REPORT_SCRIPT = fileURLToPath(new URL("./wrk-report.lua", import.meta.url));

export interface WrkRun {
  readonly url: string;
  readonly connections: number;
  readonly seconds: number;
  readonly threads: number;
  readonly timeoutSeconds: number;
}

export function wrkArgs(run: WrkRun): string[] {
  return [
    `--threads=${run.threads}`,
    `--connections=${run.connections}`,
    `--duration=${run.seconds}s`,
    `--timeout=${run.timeoutSeconds}s`,
    "--latency",
    `--script=${REPORT_SCRIPT}`,
    run.url,
  ];
}

export async function runWrk(wrk: string, run: WrkRun): Promise<WrkResult> {
  const { stdout } = await promisify(execFile)(wrk, wrkArgs(run), {
    timeout: (run.seconds + run.timeoutSeconds + 10) * 1000,
    maxBuffer: 1 << 20,
  });
  return parseWrkOutput(stdout);
}
