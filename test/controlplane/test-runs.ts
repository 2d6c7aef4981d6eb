import { mkdir, readdir, rm } from "node:fs/promises";
import { join } from "node:path";
import { readState } from "./control-plane-state.ts";
import { stopControlPlane } from "./control-plane.ts";
import type { Progress } from "./progress.ts";

const keptRuns = 5;

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/**
 * Makes a fresh directory for one test run under `root`, keeping the last few runs' logs
 * for debugging. A run whose test process died without its teardown (a killed vitest)
 * left its control plane behind; its recorded processes are stopped here.
 */
export async function prepareRunDir(root: string, progress: Progress): Promise<string> {
  await mkdir(root, { recursive: true });
  const runs = (await readdir(root, { withFileTypes: true }))
    .filter((entry) => entry.isDirectory())
    .map((entry) => entry.name)
    .sort();
  const finished: string[] = [];
  for (const name of runs) {
    // The directory name ends in the test process's pid: a live owner may still be building
    // or starting, before any state.json exists, so its directory is left alone.
    const owner = Number(/-(\d+)$/.exec(name)?.[1] ?? Number.NaN);
    if (Number.isInteger(owner) && alive(owner)) continue;
    const state = await readState(join(root, name));
    if (state !== undefined) {
      progress(`stopping the control plane left behind by an interrupted run in ${state.dir}`);
      await stopControlPlane(state, progress);
    }
    finished.push(name);
  }
  for (const name of finished.slice(0, Math.max(0, finished.length - (keptRuns - 1)))) {
    await rm(join(root, name), { recursive: true, force: true });
  }
  const dir = join(root, `${new Date().toISOString().replaceAll(":", "-")}-${process.pid}`);
  await mkdir(dir);
  return dir;
}
