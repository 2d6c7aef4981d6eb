import { readFile, readdir, rm, rmdir } from "node:fs/promises";
import { join } from "node:path";
import { attempt, run } from "./commands.ts";

/**
 * Kills every container task containerd runs for the node (the kubelet is stopped first,
 * so nothing restarts them), then removes tasks and containers. Their shims exit with them.
 */
export async function removeContainers(ctr: string, socket: string): Promise<string[]> {
  const failures: (string | undefined)[] = [];
  const base = ["--address", socket, "--namespace", "k8s.io"];
  const ids = (await run(ctr, [...base, "containers", "list", "--quiet"])).split("\n").filter((id) => id !== "");
  for (const id of ids) {
    await run(ctr, [...base, "tasks", "kill", "--signal", "SIGKILL", id]).catch(() => undefined);
  }
  for (const id of ids) {
    failures.push(await attempt(`removing task ${id}`, () => deleteTask(ctr, base, id)));
    failures.push(await attempt(`removing container ${id}`, () => run(ctr, [...base, "containers", "delete", id])));
  }
  return failures.filter((f) => f !== undefined);
}

async function deleteTask(ctr: string, base: string[], id: string): Promise<void> {
  for (let tries = 0; tries < 50; tries++) {
    try {
      await run(ctr, [...base, "tasks", "delete", "--force", id]);
      return;
    } catch (error) {
      if (error instanceof Error && /not found/.test(error.message)) return;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
  await run(ctr, [...base, "tasks", "delete", "--force", id]);
}

/** Mount points at or under `dir`, deepest first (/proc/self/mountinfo field 5, octal-escaped). */
export async function mountsUnder(dir: string): Promise<string[]> {
  const info = await readFile("/proc/self/mountinfo", "utf8");
  const points = info
    .split("\n")
    .map((line) => line.split(" ")[4])
    .filter((p): p is string => p !== undefined)
    .map((p) => p.replace(/\\([0-7]{3})/g, (_, octal: string) => String.fromCharCode(parseInt(octal, 8))))
    .filter((p) => p === dir || p.startsWith(`${dir}/`));
  return [...new Set(points)].sort((a, b) => b.length - a.length);
}

/** Unmounts rootfs overlays, shm, volume tmpfs and netns bind mounts the node made under its dir. */
export async function unmountUnder(dir: string): Promise<string[]> {
  const failures: (string | undefined)[] = [];
  for (let pass = 0; pass < 3; pass++) {
    const points = await mountsUnder(dir);
    if (points.length === 0) break;
    for (const point of points) failures.push(await attempt(`unmounting ${point}`, () => run("umount", ["--lazy", point])));
  }
  const left = await mountsUnder(dir);
  return left.length === 0 ? [] : [...failures.filter((f) => f !== undefined), `still mounted: ${left.join(", ")}`];
}

/** The kubelet's cgroupfs hierarchy (`kubepods` in each cgroup v1 controller), leaves first. */
export async function removeKubepodsCgroups(): Promise<string[]> {
  const failures: (string | undefined)[] = [];
  const controllers = await readdir("/sys/fs/cgroup").catch(() => [] as string[]);
  for (const controller of controllers) {
    const top = join("/sys/fs/cgroup", controller, "kubepods");
    const dirs = await cgroupTree(top);
    for (const dir of dirs.sort((a, b) => b.length - a.length)) {
      failures.push(await attempt(`removing cgroup ${dir}`, () => rmdir(dir)));
    }
  }
  return failures.filter((f) => f !== undefined);
}

async function cgroupTree(dir: string): Promise<string[]> {
  let entries;
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch {
    return [];
  }
  const children = await Promise.all(entries.filter((e) => e.isDirectory()).map((e) => cgroupTree(join(dir, e.name))));
  return [dir, ...children.flat()];
}

/** kube-proxy removes its own iptables and nftables rules. */
export async function removeKubeProxyRules(kubeProxy: string): Promise<string | undefined> {
  return attempt("kube-proxy --cleanup", () => run(kubeProxy, ["--cleanup"]));
}

export async function removeNodeDir(dir: string): Promise<string | undefined> {
  return attempt(`removing ${dir}`, () => rm(dir, { recursive: true, force: true }));
}

/** Shims (and anything else) still started for our containerd: their command line names its socket. */
export async function killLeftoverShims(socket: string): Promise<string[]> {
  const killed: string[] = [];
  for (const pid of await readdir("/proc")) {
    if (!/^\d+$/.test(pid)) continue;
    const cmdline = await readFile(`/proc/${pid}/cmdline`, "utf8").catch(() => "");
    if (!cmdline.split("\0").includes(socket)) continue;
    try {
      process.kill(Number(pid), "SIGKILL");
      killed.push(`${pid} ${cmdline.split("\0")[0] ?? ""}`);
    } catch {
      // already gone
    }
  }
  return killed;
}

/**
 * The kubelet's own iptables chains (KUBE-FIREWALL, KUBE-KUBELET-CANARY, KUBE-IPTABLES-HINT),
 * which `kube-proxy --cleanup` leaves, and any KUBE-/CNI- chain left by kube-proxy or the
 * portmap plugin: jumps to them from the built-in chains first, then the chains. No other
 * Kubernetes node runs on a machine that runs this harness's (its interfaces are fixed).
 */
export async function removeKubernetesChains(): Promise<string[]> {
  const failures: (string | undefined)[] = [];
  const ours = /^(KUBE|CNI)-/;
  for (const tool of ["iptables", "ip6tables"]) {
    for (const table of ["filter", "nat", "mangle"]) {
      const rules = await run(tool, ["-t", table, "-S"]).catch(() => "");
      const lines = rules.split("\n");
      for (const line of lines) {
        const [verb, chain, ...rest] = line.split(" ");
        const target = rest[rest.indexOf("-j") + 1];
        if (verb !== "-A" || chain === undefined || ours.test(chain) || target === undefined || !ours.test(target)) continue;
        failures.push(await attempt(`${tool} -t ${table} -D ${chain}`, () => run(tool, ["-t", table, "-D", chain, ...rest])));
      }
      const chains = lines.filter((l) => l.startsWith("-N ")).map((l) => l.slice(3)).filter((c) => ours.test(c));
      for (const chain of chains) await run(tool, ["-t", table, "-F", chain]).catch(() => undefined);
      for (const chain of chains) failures.push(await attempt(`${tool} -t ${table} -X ${chain}`, () => run(tool, ["-t", table, "-X", chain])));
    }
  }
  return failures.filter((f) => f !== undefined);
}
