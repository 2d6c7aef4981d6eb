import { readFile, writeFile } from "node:fs/promises";

// The kubelet sets these host-wide at start (container_manager_linux.go, setupKernelTunables)
// and cannot be told not to; the harness saves them first and puts them back on teardown.
export const kubeletSysctls = [
  "vm/overcommit_memory",
  "vm/panic_on_oom",
  "kernel/panic",
  "kernel/panic_on_oops",
  "kernel/keys/root_maxkeys",
  "kernel/keys/root_maxbytes",
] as const;

export async function readSysctls(): Promise<Record<string, string>> {
  const values: Record<string, string> = {};
  for (const name of kubeletSysctls) values[name] = (await readFile(`/proc/sys/${name}`, "utf8")).trim();
  return values;
}

/** Returns the ones it changed back, for the teardown's report. */
export async function restoreSysctls(saved: Record<string, string>): Promise<string[]> {
  const restored: string[] = [];
  for (const [name, value] of Object.entries(saved)) {
    const now = (await readFile(`/proc/sys/${name}`, "utf8")).trim();
    if (now === value) continue;
    await writeFile(`/proc/sys/${name}`, value);
    restored.push(`${name.replaceAll("/", ".")} ${now} -> ${value}`);
  }
  return restored;
}
