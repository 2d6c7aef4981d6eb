import { readdir, readFile } from "node:fs/promises";
import { request } from "node:http";
import { processGroupYaml } from "../../support/process-group-yaml.ts";
import { isAlive } from "../../support/is-alive.ts";
import { until } from "../../support/until.ts";
import { seriesValue } from "../../runtime/support/metrics.ts";
import { groupFile, spawnCli, waitReady, type Spawned } from "../../runtime/support/spawned.ts";

/** `processgroup serve` running a group for a chaos scenario, on ports the kernel picked. */
export interface ServedGroup {
  readonly url: string;
  readonly adminUrl: string;
  readonly port: number;
  readonly spawned: Spawned;
  readonly supervisorPid: number;
  /** Runtime processes that listen and have not begun to drain, by their log lines. */
  servingPids(): number[];
  metrics(): Promise<string>;
  /** SIGTERM to the supervisor (every process drains), SIGKILL if it is not gone in time. */
  stop(): Promise<void>;
}

export { isAlive };

/** Runs `processgroup serve` on the ProcessGroup `spec` (the indented body of `spec:`), ready. */
export async function serveGroup(name: string, spec: string): Promise<ServedGroup> {
  const file = await groupFile(processGroupYaml(name, spec));
  const spawned = spawnCli(["serve", "-f", file, "--port", "0", "--admin-port", "0"]);
  const serving = await spawned.waitForLog("serving", (l) => l.msg === "serving", 60_000);
  const url = `http://127.0.0.1:${String(serving["port"])}`;
  const adminUrl = `http://127.0.0.1:${String(serving["adminPort"])}`;
  await waitReady(adminUrl);
  const supervisorPid = spawned.child.pid!;
  return {
    url,
    adminUrl,
    port: Number(serving["port"]),
    spawned,
    supervisorPid,
    servingPids() {
      const pidsWith = (msg: string) => new Set(spawned.logs.filter((l) => l.msg === msg && l["pid"] !== supervisorPid).map((l) => Number(l["pid"])));
      const draining = pidsWith("draining");
      return [...pidsWith("listening")].filter((pid) => !draining.has(pid) && isAlive(pid));
    },
    metrics: async () => (await fetch(`${adminUrl}/metrics`)).text(),
    async stop() {
      if (spawned.child.exitCode !== null || spawned.child.signalCode !== null) return;
      spawned.child.kill("SIGTERM");
      const timer = setTimeout(() => spawned.child.kill("SIGKILL"), 30_000);
      await spawned.exited;
      clearTimeout(timer);
    },
  };
}

export interface ProcessStatus {
  readonly threads: number;
  readonly rssMb: number;
  readonly openFiles: number;
}

/** Threads and resident memory (/proc/PID/status) and open file descriptors (/proc/PID/fd) of a process. */
export async function processStatus(pid: number): Promise<ProcessStatus> {
  const status = await readFile(`/proc/${pid}/status`, "utf8");
  const field = (name: string) => Number(new RegExp(`^${name}:\\s+(\\d+)`, "m").exec(status)?.[1] ?? Number.NaN);
  return { threads: field("Threads"), rssMb: Math.round(field("VmRSS") / 1024), openFiles: (await readdir(`/proc/${pid}/fd`)).length };
}

/**
 * The JS heap the group's runtime processes use on their main threads, from their metrics.
 * Reported, not bounded: the used size counts garbage until a major collection, which an idle
 * process does not run, so it moves by tens of MB with no trend.
 */
export async function mainHeapMb(group: ServedGroup): Promise<number> {
  return Math.round(seriesValue(await group.metrics(), "nodejs_heap_size_used_bytes") / (1024 * 1024));
}

/** "19 threads, 336 MB, 41 files" */
export const describeStatus = (s: ProcessStatus) => `${s.threads} threads, ${s.rssMb} MB RSS, ${s.openFiles} open files`;

/**
 * The process's status once it has no more threads and open files than `baseline` had
 * (threads told to end leave the OS a moment later, and closed connections their
 * descriptors), or as it is after `timeoutMs`.
 */
export async function settledStatus(pid: number, baseline: ProcessStatus, timeoutMs = 30_000): Promise<ProcessStatus> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const status = await processStatus(pid);
    if ((status.threads <= baseline.threads && status.openFiles <= baseline.openFiles) || Date.now() > deadline) return status;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** The process's status once its thread and descriptor counts have held still for a second. */
export async function steadyStatus(pid: number, timeoutMs = 30_000): Promise<ProcessStatus> {
  const deadline = Date.now() + timeoutMs;
  let last = await processStatus(pid);
  for (;;) {
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    const now = await processStatus(pid);
    if ((now.threads === last.threads && now.openFiles === last.openFiles) || Date.now() > deadline) return now;
    last = now;
  }
}

/**
 * Capacity is back: every thread of every group is up and idle, nothing waits, and then a
 * burst of `burst` requests at once, each on a connection of its own, is answered 200.
 * Returns the burst's statuses.
 */
export async function capacityRecovered(group: ServedGroup, totalThreads: number, path: string, burst: number): Promise<number[]> {
  let seen = "";
  await until(`all ${totalThreads} threads idle with nothing queued`, 60_000, async () => {
    const metrics = await group.metrics();
    const idle = seriesValue(metrics, "processgroup_threads", { state: "idle" });
    const busy = seriesValue(metrics, "processgroup_threads", { state: "busy" });
    const queued = seriesValue(metrics, "processgroup_queue_length");
    seen = `${idle} idle, ${busy} busy, ${queued} queued`;
    return idle === totalThreads && busy === 0 && queued === 0 ? true : undefined;
  }).catch((error: unknown) => {
    throw new Error(`${(error as Error).message} (last seen: ${seen})`);
  });
  return Promise.all(Array.from({ length: burst }, () => statusOfFresh(`${group.url}${path}`)));
}

/** GET on a connection of its own; 0 when there was no answer. */
export function statusOfFresh(url: string): Promise<number> {
  return new Promise((resolve) => {
    request(url, { agent: false, headers: { connection: "close" } }, (res) => {
      res.resume();
      res.on("end", () => resolve(res.statusCode ?? 0));
      res.on("error", () => resolve(0));
    })
      .on("error", () => resolve(0))
      .end();
  });
}
