// Benchmark (not a test): the runtime's throughput against a plain node:http server running
// the same handler, measured in one run on this machine, printed as ratios.
//
//   npx node bench/runtime-vs-node.ts [--seconds 5] [--rounds 2]
//
// 1. hello world: the runtime with 1 process x 15 threads vs one plain process (goal >= 0.8x),
//    next to a bare one-hop relay (thread-hop-server.ts): the ceiling of any design that
//    moves each request to a worker thread, on this machine;
// 2. CPU-bound:  the runtime with 2 threads (on 2 cores) vs one plain process (goal >= 1.8x).
// Rounds alternate the servers so drift in the machine's load hits all alike. The load
// generator (load-generator.ts) runs in this process, on the same cores.
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { measure, type Throughput } from "./load-generator.ts";

const here = (path: string) => fileURLToPath(new URL(path, import.meta.url));

interface Server {
  readonly port: number;
  stop(): Promise<void>;
}

function startProcess(args: string[]): Promise<Server> {
  const child: ChildProcess = spawn(process.execPath, args, { stdio: ["ignore", "pipe", "inherit"] });
  return new Promise((resolve, reject) => {
    let buffered = "";
    child.stdout!.setEncoding("utf8").on("data", (data: string) => {
      buffered += data;
      const lines = buffered.split("\n");
      buffered = lines.pop() ?? "";
      for (const line of lines) {
        const parsed = JSON.parse(line) as { msg?: string; port?: number };
        if (parsed.msg === "serving" && parsed.port !== undefined) {
          resolve({
            port: parsed.port,
            stop: () =>
              new Promise<void>((done) => {
                child.once("exit", () => done());
                child.kill("SIGTERM");
              }),
          });
        }
      }
    });
    child.once("exit", (code) => reject(new Error(`${args.join(" ")} exited with ${code}`)));
  });
}

async function runtimeServer(dir: string, app: string, threads: number): Promise<Server> {
  const file = join(dir, `${threads}.yaml`);
  await writeFile(
    file,
    `apiVersion: processgroup.dev/v1alpha1
kind: ProcessGroup
metadata:
  name: bench
spec:
  threads: ${threads}
  applications:
    - name: app
      mount: /
      entry: ${here(`./apps/${app}.mjs`)}
`,
  );
  const server = await startProcess([here("../bin/processgroup.js"), "serve", "-f", file, "--port", "0", "--admin-port", "0", "--no-reload"]);
  // `serving` comes once the threads have loaded; give them a moment's warm-up too.
  await measure(server.port, "/", 8, 1);
  return server;
}

async function plainServer(app: string): Promise<Server> {
  const server = await startProcess([here("./plain-server.ts"), here(`./apps/${app}.mjs`)]);
  await measure(server.port, "/", 8, 1);
  return server;
}

interface Scenario {
  readonly name: string;
  readonly app: string;
  readonly threads: number;
  readonly connections: number;
  readonly goal: number;
  /** Also measure the bare one-hop relay (thread-hop-server.ts), the ceiling for this design. */
  readonly withHop: boolean;
}

const SCENARIOS: readonly Scenario[] = [
  { name: "hello world, 1 process x 15 threads vs plain node:http", app: "hello", threads: 15, connections: 32, goal: 0.8, withHop: true },
  { name: "CPU-bound, 2 threads vs one plain node:http process", app: "cpu", threads: 2, connections: 8, goal: 1.8, withHop: false },
];

function line(label: string, t: Throughput): string {
  return `    ${label.padEnd(8)} ${t.perSecond.toFixed(0).padStart(7)} req/s  (${t.requests} in ${t.seconds.toFixed(1)} s, non-200 ${t.non200}, errors ${t.errors})`;
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { seconds: { type: "string", default: "5" }, rounds: { type: "string", default: "2" } } });
  const seconds = Number(values.seconds);
  const rounds = Number(values.rounds);
  const dir = await mkdtemp(join(tmpdir(), "pg-bench-"));
  const summary: string[] = [];
  try {
    for (const scenario of SCENARIOS) {
      const plain = await plainServer(scenario.app);
      const runtime = await runtimeServer(dir, scenario.app, scenario.threads);
      const hop = scenario.withHop ? await startProcess([here("./thread-hop-server.ts")]) : undefined;
      process.stdout.write(`${scenario.name}\n`);
      const ratios: number[] = [];
      for (let round = 1; round <= rounds; round++) {
        const p = await measure(plain.port, "/", scenario.connections, seconds);
        const r = await measure(runtime.port, "/", scenario.connections, seconds);
        const h = hop ? await measure(hop.port, "/", scenario.connections, seconds) : undefined;
        ratios.push(r.perSecond / p.perSecond);
        const hopLines = h ? `\n${line("bare hop", h)}\n    bare hop / plain ${(h.perSecond / p.perSecond).toFixed(2)}x` : "";
        process.stdout.write(`  round ${round}\n${line("plain", p)}\n${line("runtime", r)}${hopLines}\n    runtime / plain ${(r.perSecond / p.perSecond).toFixed(2)}x\n`);
      }
      await Promise.all([plain.stop(), runtime.stop(), hop?.stop()]);
      const mean = ratios.reduce((a, b) => a + b, 0) / ratios.length;
      summary.push(`${scenario.name}: ${mean.toFixed(2)}x (goal >= ${scenario.goal}x) ${mean >= scenario.goal ? "met" : "NOT met"}`);
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
  process.stdout.write(`\nsummary (mean ratio over ${rounds} alternating rounds of ${seconds} s)\n${summary.map((s) => `  ${s}`).join("\n")}\n`);
}

await main();
