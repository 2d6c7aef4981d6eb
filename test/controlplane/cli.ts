// Usage: node test/controlplane/cli.ts up|down|status [--profile full|apiserver] [--kubelet] [--dir .cluster]
// --kubelet: a real node (containerd, kubelet, kube-proxy, a local registry) instead of kwok's.
// `up` leaves the control plane running in the background (for people and for running the
// operator against it by hand); `down` stops exactly the processes `up` recorded.
import { resolve } from "node:path";
import { parseArgs } from "node:util";
import { z } from "zod";
import { readState, profileSchema, type ControlPlaneState } from "./control-plane-state.ts";
import { startControlPlane, stopControlPlane } from "./control-plane.ts";
import { isRunning } from "./processes.ts";
import { stderrProgress } from "./progress.ts";

const commandSchema = z.enum(["up", "down", "status"]);

async function main(): Promise<number> {
  const { positionals, values } = parseArgs({
    allowPositionals: true,
    options: {
      profile: { type: "string", default: "full" },
      dir: { type: "string", default: ".cluster" },
      kubelet: { type: "boolean", default: false },
    },
  });
  const command = commandSchema.parse(positionals[0]);
  const profile = profileSchema.parse(values.profile);
  const dir = resolve(values.dir);
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
  const state = await startControlPlane({ profile, dir, detached: true, progress: stderrProgress, kubelet: values.kubelet });
  printExports(state);
  return 0;
}

function printExports(state: ControlPlaneState): void {
  console.log(`export KUBECONFIG=${state.kubeconfig}`);
  if (state.node !== undefined) console.log(`export PROCESSGROUP_REGISTRY=${state.node.registry}`);
}

process.exitCode = await main();
