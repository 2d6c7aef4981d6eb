import { copyFile, mkdtemp, rm, utimes } from "node:fs/promises";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";
import { until } from "../../support/until.ts";
import { seriesValue } from "../../runtime/support/metrics.ts";
import type { ServedGroup } from "./runtime-served.ts";

/** Copies of fixture apps in a folder of a scenario's own, so it can touch them to reload its threads. */
export interface AppFolder {
  /** The copy of the fixture at `fixturePath`. */
  entry(fixturePath: string): string;
  /** Touches every copy: each process replaces every thread of every group, as on a reload. */
  touch(): Promise<void>;
  remove(): Promise<void>;
}

export async function appFolder(fixturePaths: readonly string[]): Promise<AppFolder> {
  const folder = await mkdtemp(join(tmpdir(), "pg-chaos-apps-"));
  const copies = new Map(fixturePaths.map((path) => [path, join(folder, basename(path))]));
  for (const [from, to] of copies) await copyFile(from, to);
  return {
    entry: (fixturePath) => copies.get(fixturePath) ?? fixturePath,
    async touch() {
      const now = new Date();
      for (const copy of copies.values()) await utimes(copy, now, now);
    },
    remove: () => rm(folder, { recursive: true, force: true }),
  };
}

/**
 * Replaces every thread (`totalThreads` across the group's processes) by touching the app
 * copies, and waits until all of them are replaced. A long-form rest does this before it
 * measures RSS, so what live threads grew their heaps to for their apps' sake (a 16 MiB body
 * read as text, say) is not taken for a leak of the process.
 */
export async function replaceEveryThread(group: ServedGroup, apps: AppFolder, totalThreads: number): Promise<void> {
  const reloads = async () => seriesValue(await group.metrics(), "processgroup_thread_recycles_total", { reason: "reload" });
  const before = await reloads();
  await apps.touch();
  await until(`all ${totalThreads} threads replaced`, 60_000, async () => ((await reloads()) >= before + totalThreads ? true : undefined));
}
