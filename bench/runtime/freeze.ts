// Idle servers are frozen (SIGSTOP) while another is measured, so that nothing they do after a
// load (a garbage collection, a timer, a supervisor's check) lands in another server's numbers;
// each pays its own deferred work when it is thawed for its next measurement.
import { snapshotTree, stillRunning } from "./process-tree.ts";
import type { ProcStat } from "./proc-stat.ts";

export interface Frozen {
  /** The processes stopped, as they were when stopped. */
  readonly processes: readonly ProcStat[];
  /** Continues every process that was stopped, children first. */
  thaw(): Promise<void>;
}

function signal(process: ProcStat, name: NodeJS.Signals): void {
  try {
    globalThis.process.kill(process.pid, name);
  } catch {
    // it exited meanwhile
  }
}

/** Stops the tree of `root`, parents first so that none sees its children stop. */
export async function freezeTree(root: number): Promise<Frozen> {
  const { processes } = await snapshotTree(root);
  for (const p of processes) signal(p, "SIGSTOP");
  return {
    processes,
    async thaw() {
      for (const p of [...processes].reverse()) if (await stillRunning(p)) signal(p, "SIGCONT");
    },
  };
}
