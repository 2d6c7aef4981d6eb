import { readFileSync } from "node:fs";
import { availableParallelism } from "node:os";

/**
 * The CPU quota of a cgroup in cores, from cgroup v2's `cpu.max` ("200000 100000", or
 * "max 100000" for none) or cgroup v1's `cpu.cfs_quota_us` and `cpu.cfs_period_us` (-1 for
 * none); undefined when there is no quota or the text is not understood.
 */
export function quotaCores(v2: string | undefined, v1Quota: string | undefined, v1Period: string | undefined): number | undefined {
  const cores = (quota: number, period: number) => (quota > 0 && period > 0 ? Math.max(1, Math.ceil(quota / period)) : undefined);
  if (v2 !== undefined) {
    const [quota, period] = v2.trim().split(/\s+/);
    if (quota === "max") return undefined;
    return cores(Number(quota), Number(period));
  }
  if (v1Quota !== undefined && v1Period !== undefined) return cores(Number(v1Quota.trim()), Number(v1Period.trim()));
  return undefined;
}

function readOrUndefined(path: string): string | undefined {
  try {
    return readFileSync(path, "utf8");
  } catch {
    return undefined;
  }
}

/**
 * How many cores this process's threads can run on at once: the CPUs it may use, or fewer
 * when its container has a CPU limit (a pod's `resources.limits.cpu` is a cgroup quota,
 * which os.availableParallelism() does not see).
 */
export function cpuCores(): number {
  const quota = quotaCores(
    readOrUndefined("/sys/fs/cgroup/cpu.max"),
    readOrUndefined("/sys/fs/cgroup/cpu/cpu.cfs_quota_us") ?? readOrUndefined("/sys/fs/cgroup/cpu,cpuacct/cpu.cfs_quota_us"),
    readOrUndefined("/sys/fs/cgroup/cpu/cpu.cfs_period_us") ?? readOrUndefined("/sys/fs/cgroup/cpu,cpuacct/cpu.cfs_period_us"),
  );
  const cpus = availableParallelism();
  return quota === undefined ? cpus : Math.min(cpus, quota);
}
