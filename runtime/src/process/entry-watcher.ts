import { watch, type FSWatcher } from "node:fs";
import { stat } from "node:fs/promises";
import { dirname } from "node:path";

const SETTLE_MS = 100;

async function signatureOf(file: string): Promise<string> {
  try {
    const s = await stat(file);
    return `${s.ino}:${s.size}:${s.mtimeMs}`;
  } catch {
    return "missing";
  }
}

/**
 * Calls `changed(key)` when one of a key's files changes, like touching a mod_wsgi script
 * file. It watches the files' folders and compares what `stat` sees (following links), so
 * editors that replace a file and ConfigMap volumes that swap a link are both seen.
 */
export async function watchEntries(filesByKey: ReadonlyMap<string, readonly string[]>, changed: (key: string) => void): Promise<() => void> {
  const signatures = new Map<string, string>();
  for (const files of filesByKey.values()) for (const file of files) signatures.set(file, await signatureOf(file));
  let timer: NodeJS.Timeout | undefined;
  const check = async () => {
    const changedFiles = new Set<string>();
    for (const file of signatures.keys()) {
      const now = await signatureOf(file);
      if (now !== signatures.get(file)) changedFiles.add(file);
      signatures.set(file, now);
    }
    for (const [key, files] of filesByKey) if (files.some((f) => changedFiles.has(f))) changed(key);
  };
  const watchers: FSWatcher[] = [];
  for (const folder of new Set([...signatures.keys()].map((f) => dirname(f)))) {
    try {
      const watcher = watch(folder, { persistent: false }, () => {
        clearTimeout(timer);
        timer = setTimeout(() => void check(), SETTLE_MS);
      });
      watcher.on("error", () => watcher.close());
      watchers.push(watcher);
    } catch {
      // A folder that cannot be watched (gone, no permission): its apps just do not reload.
    }
  }
  return () => {
    clearTimeout(timer);
    for (const w of watchers) w.close();
  };
}
