// `up` leaves the control plane running in the background (for people and for running the
// operator against it by hand); `down` stops exactly the processes `up` recorded.
// `--help` (CLUSTER_USAGE in cli-args.ts) says the rest.
import { resolve } from "node:path";
import { readState, type ControlPlaneState } from "./control-plane-state.ts";
import { CLUSTER_USAGE, parseClusterArgs } from "./cli-args.ts";
import { startControlPlane, stopControlPlane } from "./control-plane.ts";
import { isRunning } from "./processes.ts";
import { stderrProgress } from "./progress.ts";

async function main(): Promise<number> {
  const args = parseClusterArgs(process.argv.slice(2));
  if (args.kind === "help") {
    console.log(CLUSTER_USAGE);
    return 0;
  }
  if (args.kind === "error") {
    console.error(`cluster: ${args.message}\n\n${CLUSTER_USAGE}`);
    return 2;
  }
  const { command, profile } = args;
  const dir = resolve(args.dir);
  const existing = await readState(dir);

  if (command === "status") {
    if (existing === undefined) {
      console.log(`no control plane recorded in ${dir}`);
      return 1;
    }
    for (const p of existing.processes) console.log(`${p.name.padEnd(24)} pid ${p.pid} ${isRunning(p) ? "running" : "stopped"}`);
    console.log(`${existing.profile} profile at ${existing.server}; logs in ${existing.logDir}`);
    printExports(existing);
    return existing.processes.every(isRunning) ? 0 : 1;
  }

  if (command === "down") {
    if (existing === undefined) {
      stderrProgress(`no control plane recorded in ${dir}; nothing to stop`);
      return 0;
    }
    await stopControlPlane(existing, stderrProgress);
    stderrProgress(`stopped; logs kept in ${existing.logDir}`);
    return 0;
  }

  if (existing !== undefined) {
    if (existing.processes.every(isRunning)) {
      stderrProgress(`already running (${existing.profile} profile); \`npm run cluster:down\` stops it`);
      printExports(existing);
      return 0;
    }
    stderrProgress("a previous control plane is partly gone; stopping what is left of it");
    await stopControlPlane(existing, stderrProgress);
  }
  const state = await startControlPlane({ profile, dir, detached: true, progress: stderrProgress, kubelet: args.kubelet });
  printExports(state);
  return 0;
}

function printExports(state: ControlPlaneState): void {
  console.log(`export KUBECONFIG=${state.kubeconfig}`);
  if (state.node !== undefined) console.log(`export PROCESSGROUP_REGISTRY=${state.node.registry}`);
}

// A failure says what failed in one line, not a stack trace; the logs hold the rest.
process.exitCode = await main().catch((error: unknown) => {
  console.error(`cluster: ${error instanceof Error ? error.message : String(error)}`);
  return 1;
});
