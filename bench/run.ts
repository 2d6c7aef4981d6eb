// `npm run bench`: the runtime against node:http, node:cluster, PM2 and Apache + mod_wsgi, and
// the operator's own numbers, in one run. Prints progress on stderr, Markdown tables on stdout,
// and writes bench/results/<date>.json. BENCHMARKS.md says how to read and rerun it.
import { execFileSync } from "node:child_process";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { loadavg } from "node:os";
import { relative } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { replaceResultsSection, resultsMarkdown } from "./markdown.ts";
import { runOperatorBench } from "./operator-bench.ts";
import { newestResultsFile, readResults, RESULTS_DIR, RESULTS_SCHEMA, resultsFileName, type BenchResults } from "./results.ts";
import { benchRuntime } from "./runtime/bench-runtime.ts";
import { describeMachine } from "./runtime/machine.ts";
import { DEFAULT_RUNTIME_HANDLER, runtimePlan, type Mode } from "./runtime/plan.ts";
import { findTools, type Tools } from "./runtime/tools.ts";
import type { RuntimeHandler } from "./runtime/types.ts";

const USAGE = `usage: npm run bench -- [--quick | --full] [--only runtime|operator] [options]

Measures the runtime (processgroup serve) against plain node:http, node:cluster, PM2 and
Apache + mod_wsgi on hello world, CPU-bound, 10 ms I/O and 64 KiB workloads, with wrk on
127.0.0.1; then the operator. Progress goes to stderr, tables to stdout, everything to
bench/results/<YYYY-MM-DD>.json. Run \`bash bench/setup.sh\` first (or pass --setup).

  --quick              short rounds, about seven minutes (default)
  --full               longer and more rounds, every mod_wsgi shape, 1-process peers (~30 min)
  --only PART          runtime or operator (default: both)
  --setup              run bench/setup.sh first (apt-get wrk, apache2, mod_wsgi; PM2 into ~/.cache)
  --servers IDS        runtime bench: only these servers (comma-separated ids; plain always runs)
  --seconds N          runtime bench: seconds per measurement (default: quick 2, full 4)
  --rounds N           runtime bench: rounds (default: quick 3, full 5)
  --runtime-handler H  listener (default), fetch, or both (fetch measured as extra servers):
                       the form of the shared handler the runtime serves
  --yardsticks         also measure the bare thread hop and reusePort threads (docs/performance.md)
  --out FILE           write the results here instead of bench/results/<date>.json
  --write-markdown     measure nothing: redraw BENCHMARKS.md's results from --results FILE
                       (default: the newest bench/results/*.json)
  --results FILE       the results file --write-markdown reads
  --help               this text
`;

const ROOT = new URL("../", import.meta.url);
const progress = (line: string) => process.stderr.write(`${line}\n`);

class UsageError extends Error {}

function positiveInteger(value: string | undefined, flag: string): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new UsageError(`${flag} must be a whole number >= 1, got ${JSON.stringify(value)}`);
  return n;
}

function oneOf<T extends string>(value: string | undefined, allowed: readonly T[], flag: string): T | undefined {
  if (value === undefined) return undefined;
  if (!(allowed as readonly string[]).includes(value)) throw new UsageError(`${flag} must be ${allowed.join(" or ")}, got ${JSON.stringify(value)}`);
  return value as T;
}

function parse(argv: readonly string[]) {
  const { values } = parseArgs({
    args: [...argv],
    strict: true,
    allowPositionals: false,
    options: {
      quick: { type: "boolean", default: false },
      full: { type: "boolean", default: false },
      only: { type: "string" },
      setup: { type: "boolean", default: false },
      servers: { type: "string" },
      seconds: { type: "string" },
      rounds: { type: "string" },
      "runtime-handler": { type: "string" },
      yardsticks: { type: "boolean", default: false },
      out: { type: "string" },
      "write-markdown": { type: "boolean", default: false },
      results: { type: "string" },
      help: { type: "boolean", default: false },
    },
  });
  if (values.quick && values.full) throw new UsageError("--quick and --full exclude each other");
  const only = oneOf(values.only, ["runtime", "operator"], "--only");
  const mode: Mode = values.full ? "full" : "quick";
  return {
    help: values.help,
    mode,
    runtime: only !== "operator",
    operator: only !== "runtime",
    setup: values.setup,
    servers: values.servers?.split(",").map((s) => s.trim()).filter((s) => s !== ""),
    seconds: positiveInteger(values.seconds, "--seconds"),
    rounds: positiveInteger(values.rounds, "--rounds"),
    runtimeHandlers: handlersOf(oneOf(values["runtime-handler"], ["fetch", "listener", "both"], "--runtime-handler")),
    yardsticks: values.yardsticks,
    out: values.out,
    writeMarkdown: values["write-markdown"],
    results: values.results,
  };
}

type Options = ReturnType<typeof parse>;

function handlersOf(choice: "fetch" | "listener" | "both" | undefined): RuntimeHandler[] | undefined {
  if (choice === undefined) return undefined;
  return choice === "both" ? [DEFAULT_RUNTIME_HANDLER, DEFAULT_RUNTIME_HANDLER === "fetch" ? "listener" : "fetch"] : [choice];
}

function setup(): void {
  progress("running bench/setup.sh");
  try {
    execFileSync("bash", [fileURLToPath(new URL("./setup.sh", import.meta.url))], { stdio: ["ignore", "inherit", "inherit"] });
  } catch {
    progress("bench/setup.sh could not install everything; measuring what is there");
  }
}

async function writeMarkdown(options: Options): Promise<void> {
  const file = options.results ?? (await newestResultsFile(fileURLToPath(RESULTS_DIR)));
  if (file === undefined) throw new UsageError("no results file: run the bench first or pass --results FILE");
  const results = await readResults(file);
  const target = new URL("BENCHMARKS.md", ROOT);
  const document = await readFile(target, "utf8");
  const section = resultsMarkdown(results, relative(fileURLToPath(ROOT), file));
  await writeFile(target, replaceResultsSection(document, section));
  progress(`BENCHMARKS.md: results section redrawn from ${file}`);
}

function versionsOf(tools: Tools | undefined): BenchResults["versions"] {
  return {
    node: process.version,
    apache: tools?.apache.version ?? null,
    modWsgi: tools?.modWsgi.version ?? null,
    python: tools?.python.version ?? null,
    pm2: tools?.pm2.version ?? null,
    wrk: tools?.wrk.version ?? null,
  };
}

async function run(options: Options, argv: readonly string[]): Promise<void> {
  if (options.setup) setup();
  const startedAt = new Date();
  const machine = await describeMachine();
  progress(`bench: ${options.mode} mode on ${machine.cpuModel} (${machine.cores} cores), load average ${machine.loadAverage.join(" ")}`);
  const tools = await findTools();
  for (const [name, status] of Object.entries(tools)) if (!status.available) progress(`${name}: ${status.reason}`);
  let runtime: BenchResults["runtime"] = null;
  if (options.runtime) {
    let plan;
    try {
      plan = runtimePlan({
        mode: options.mode,
        seconds: options.seconds,
        rounds: options.rounds,
        yardsticks: options.yardsticks,
        only: options.servers,
        runtimeHandlers: options.runtimeHandlers,
      });
    } catch (error) {
      throw new UsageError((error as Error).message);
    }
    runtime = await benchRuntime({ plan, tools, progress });
    progress(`runtime bench took ${runtime.seconds} s`);
  }
  const operator = options.operator ? await runOperatorBench(options.mode, progress) : null;
  const results: BenchResults = {
    schema: RESULTS_SCHEMA,
    date: startedAt.toISOString().slice(0, 10),
    startedAt: startedAt.toISOString(),
    finishedAt: new Date().toISOString(),
    mode: options.mode,
    command: ["npm run bench --", ...argv].join(" "),
    machine: { ...machine, loadAverageAtEnd: loadavg().map((n) => Math.round(n * 100) / 100) },
    versions: versionsOf(tools),
    runtime,
    operator,
  };
  const out = options.out ?? fileURLToPath(new URL(resultsFileName(startedAt), RESULTS_DIR));
  await mkdir(fileURLToPath(RESULTS_DIR), { recursive: true });
  await writeFile(out, `${JSON.stringify(results, null, 2)}\n`);
  process.stdout.write(resultsMarkdown(results, relative(fileURLToPath(ROOT), out)));
  progress(`results written to ${out}; \`npm run bench -- --write-markdown\` puts them into BENCHMARKS.md`);
}

async function main(argv: readonly string[]): Promise<number> {
  let options: Options;
  try {
    options = parse(argv);
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\n\n${USAGE}`);
    return 2;
  }
  if (options.help) {
    process.stdout.write(USAGE);
    return 0;
  }
  try {
    if (options.writeMarkdown) await writeMarkdown(options);
    else await run(options, argv);
    return 0;
  } catch (error) {
    if (error instanceof UsageError) {
      process.stderr.write(`${error.message}\n`);
      return 2;
    }
    throw error;
  }
}

process.exitCode = await main(process.argv.slice(2));
