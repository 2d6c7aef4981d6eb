import { until } from "../../support/until.ts";
import { chaosMode } from "./figures.ts";
import { waitReady } from "../../runtime/support/spawned.ts";
import { isAlive, type ServedGroup } from "./runtime-served.ts";

/**
 * One rollout pass, as Kubernetes rolls a Deployment: SIGTERM to each serving process in
 * turn, the next only once the previous has drained and exited and the group is back to
 * `processes` serving processes and ready. Returns the pids that were replaced.
 */
export async function rollEveryProcess(group: ServedGroup, processes: number): Promise<number[]> {
  const replaced: number[] = [];
  for (const pid of group.servingPids()) {
    process.kill(pid, "SIGTERM");
    await until(`process ${pid} to drain and exit`, 60_000, () => (isAlive(pid) ? undefined : true));
    await until(`${processes} processes serving again`, 60_000, () => (group.servingPids().length === processes ? true : undefined));
    await waitReady(group.adminUrl);
    replaced.push(pid);
  }
  return replaced;
}

/** How long the long form (PROCESSGROUP_CHAOS=long) keeps injecting faults in each scenario. */
export const LONG_FAULT_SECONDS = 240;

/** A scenario's test timeout: the project's in the quick form, room for the faults and the checks in the long one. */
export const SCENARIO_TIMEOUT_MS = chaosMode() === "long" ? (LONG_FAULT_SECONDS + 240) * 1000 : 300_000;

/** Runs `pass` until `seconds` have gone by (at least once); returns how many passes ran. */
export async function repeatFor(seconds: number, pass: () => Promise<unknown>): Promise<number> {
  const deadline = performance.now() + seconds * 1000;
  let passes = 0;
  do {
    await pass();
    passes += 1;
  } while (performance.now() < deadline);
  return passes;
}
