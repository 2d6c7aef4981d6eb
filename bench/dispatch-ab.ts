// An A/B of the runtime's per-request dispatch: `processgroup serve` from two source trees
// (say, a checkout of the base commit and this one), each with TWO application groups so
// that every request goes through the main thread's scheduler, next to plain node:http, in
// one run, rounds interleaved. Prints req/s, the ratio to plain and CPU per request.
//
//   node bench/dispatch-ab.ts --tree before=/tmp/base --tree after=. [--threads 2,15] [--seconds 3] [--rounds 3]
import { writeFile, mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { freezeTree, type Frozen } from "./runtime/freeze.ts";
import { launch, stopTree, type Launched } from "./runtime/launch.ts";
import { treeCpuSeconds } from "./runtime/process-tree.ts";
import { answers200, waitFor, waitForServingLine } from "./runtime/readiness.ts";
import { median, orderForRound } from "./runtime/stats.ts";
import { runWrk } from "./runtime/wrk.ts";

const here = (path: string) => fileURLToPath(new URL(path, import.meta.url));
const READY_MS = 60_000;
const WORKLOADS = [
  { id: "hello", path: "/hello", connections: 32 },
  { id: "io", path: "/io", connections: 64 },
] as const;

interface Server {
  readonly id: string;
  readonly port: number;
  readonly launched: Launched;
}

async function startPlain(): Promise<Server> {
  const launched = launch(process.execPath, [here("./runtime/apps/plain-server.mjs")]);
  const { port } = await waitForServingLine(launched, READY_MS);
  return { id: "plain", port, launched };
}

async function startRuntime(name: string, tree: string, threads: number, dir: string): Promise<Server> {
  const file = join(dir, `${name}-${threads}.yaml`);
  const entry = here("./runtime/apps/runtime-listener.mjs");
  await writeFile(
    file,
    [
      "apiVersion: processgroup.dev/v1alpha1",
      "kind: ProcessGroup",
      "metadata:",
      "  name: bench",
      "spec:",
      "  processes: 1",
      `  threads: ${threads}`,
      "  applications:",
      "    - name: bench",
      "      mount: /",
      `      entry: ${entry}`,
      "      applicationGroup: bench",
      // A second group: the process dispatches every request through its scheduler.
      "    - name: other",
      "      mount: /other",
      `      entry: ${entry}`,
      "      applicationGroup: other",
      "",
    ].join("\n"),
  );
  const launched = launch(process.execPath, [join(tree, "bin/processgroup.js"), "serve", "-f", file, "--host", "127.0.0.1", "--port", "0", "--admin-port", "0", "--no-reload"]);
  const { port, adminPort } = await waitForServingLine(launched, READY_MS);
  await waitFor("/readyz", launched, READY_MS, answers200(`http://127.0.0.1:${adminPort}/readyz`));
  return { id: `${name} 1x${threads}`, port, launched };
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      tree: { type: "string", multiple: true },
      threads: { type: "string", default: "2" },
      seconds: { type: "string", default: "3" },
      rounds: { type: "string", default: "3" },
    },
  });
  const trees = (values.tree ?? []).map((t) => {
    const [name, path] = t.split("=");
    if (!name || !path) throw new Error(`--tree wants NAME=PATH, got ${JSON.stringify(t)}`);
    return { name, path: resolve(path) };
  });
  if (trees.length === 0) throw new Error("give at least one --tree NAME=PATH");
  const threads = values.threads.split(",").map(Number);
  const seconds = Number(values.seconds);
  const rounds = Number(values.rounds);
  const dir = await mkdtemp(join(tmpdir(), "dispatch-ab-"));
  const servers: Server[] = [await startPlain()];
  try {
    for (const t of threads) for (const tree of trees) servers.push(await startRuntime(tree.name, tree.path, t, dir));
    const frozen = new Map<Server, Frozen>();
    for (const s of servers) frozen.set(s, await freezeTree(s.launched.pid));
    const results = new Map<string, { rps: number[]; cpuMs: number[] }>();
    for (let round = 0; round < rounds; round++) {
      for (const workload of WORKLOADS) {
        for (const server of orderForRound(servers, round)) {
          await frozen.get(server)!.thaw();
          const url = `http://127.0.0.1:${server.port}${workload.path}`;
          // A short warm-up, then the measurement, with the tree's CPU read around it.
          await runWrk("wrk", { url, connections: workload.connections, seconds: 1, threads: 1, timeoutSeconds: 10 });
          const cpuBefore = await treeCpuSeconds(server.launched.pid);
          const result = await runWrk("wrk", { url, connections: workload.connections, seconds, threads: 1, timeoutSeconds: 10 });
          const cpu = (await treeCpuSeconds(server.launched.pid)) - cpuBefore;
          frozen.set(server, await freezeTree(server.launched.pid));
          const key = `${workload.id}\t${server.id}`;
          const entry = results.get(key) ?? { rps: [], cpuMs: [] };
          entry.rps.push(result.requestsPerSecond);
          entry.cpuMs.push((cpu * 1000) / Math.max(1, result.requests));
          results.set(key, entry);
          process.stderr.write(`round ${round + 1} ${workload.id} ${server.id}: ${Math.round(result.requestsPerSecond)} req/s, errors ${result.httpErrors}\n`);
        }
      }
    }
    for (const s of servers) await frozen.get(s)!.thaw();
    process.stdout.write("| workload | server | req/s (median) | ratio to plain | CPU ms/request |\n|---|---|---|---|---|\n");
    for (const workload of WORKLOADS) {
      const plain = median(results.get(`${workload.id}\tplain`)!.rps);
      for (const server of servers) {
        const r = results.get(`${workload.id}\t${server.id}`)!;
        const rps = median(r.rps);
        process.stdout.write(`| ${workload.id} | ${server.id} | ${Math.round(rps)} | ${(rps / plain).toFixed(2)} | ${median(r.cpuMs).toFixed(3)} |\n`);
      }
    }
  } finally {
    await Promise.all(servers.map((s) => stopTree(s.launched)));
  }
}

await main();
