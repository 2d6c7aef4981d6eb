import { execFile } from "node:child_process";
import { readFile } from "node:fs/promises";
import { promisify } from "node:util";
import type { ControlPlaneState } from "../../test/controlplane/control-plane-state.ts";
import type { ControllerLimits } from "./result.ts";

const run = promisify(execFile);

/** The `(default X)` a Go binary's --help prints for `--flag` (pflag's one line per flag). */
export function flagDefault(help: string, flag: string): string | undefined {
  const line = help.split("\n").find((l) => new RegExp(`^\\s*--${flag}\\s`).test(l));
  const defaults = line === undefined ? [] : [...line.matchAll(/\(default ([^)]+)\)/g)];
  return defaults.at(-1)?.[1]?.replaceAll('"', "");
}

/** `--flag=value` or `--flag value` from an argv; undefined when the flag was not passed. */
export function flagValue(argv: readonly string[], flag: string): string | undefined {
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? "";
    if (arg.startsWith(`--${flag}=`)) return arg.slice(flag.length + 3);
    if (arg === `--${flag}`) return argv[i + 1];
  }
  return undefined;
}

const paced = ["kube-api-qps", "kube-api-burst", "concurrent-deployment-syncs"] as const;

/**
 * What paces kube-controller-manager in this run: the flags it was started with (read from
 * its /proc cmdline), else the defaults its own --help states, so the report cannot drift
 * from the binary that ran.
 */
export async function controllerManagerLimits(state: ControlPlaneState): Promise<ControllerLimits["controllerManager"]> {
  const record = state.processes.find((p) => p.name === "kube-controller-manager");
  if (record === undefined) throw new Error("no kube-controller-manager in this control plane (the bench needs the full profile)");
  const argv = (await readFile(`/proc/${record.pid}/cmdline`, "utf8")).split("\0");
  const { stdout, stderr } = await run(record.binary, ["--help"], { maxBuffer: 16 * 1024 * 1024 });
  const help = `${stdout}\n${stderr}`;
  const [qps, burst, syncs] = paced.map((flag) => flagValue(argv, flag) ?? flagDefault(help, flag) ?? "unknown");
  return {
    kubeApiQps: qps ?? "unknown",
    kubeApiBurst: burst ?? "unknown",
    concurrentDeploymentSyncs: syncs ?? "unknown",
    source: paced.some((flag) => flagValue(argv, flag) !== undefined) ? "flags" : "defaults",
  };
}
