// The runtime bench as Markdown: goals, then req/s with ratios, latency, CPU and memory per
// server and workload. Pure: the same text goes to stdout and into BENCHMARKS.md.
import { findSummary, peakRssOf } from "./stats.ts";
import type { GoalResult, RuntimeBenchResult, ServerSpec, Summary } from "./types.ts";

const thousands = (n: number) => Math.round(n).toLocaleString("en");
const times = (n: number) => `${n.toFixed(2)}×`;
const ms = (n: number) => (n >= 100 ? n.toFixed(0) : n >= 10 ? n.toFixed(1) : n.toFixed(2));
const mib = (bytes: number) => `${(bytes / 2 ** 20).toFixed(0)} MiB`;

function table(header: readonly string[], rows: readonly (readonly string[])[], alignRight = true): string {
  const line = (cells: readonly string[]) => `| ${cells.join(" | ")} |`;
  const rule = header.map((_, i) => (i === 0 || !alignRight ? "---" : "---:"));
  return [line(header), line(rule), ...rows.map(line)].join("\n");
}

function verdict(goal: GoalResult): string {
  return goal.met === null ? "not evaluated" : goal.met ? "**met**" : "**not met**";
}

function goalsTable(goals: readonly GoalResult[]): string {
  return table(
    ["goal", "target", "measured", "result", "detail"],
    goals.map((g) => [g.description, `${g.atMost === true ? "≤" : "≥"} ${times(g.target)}`, g.measured === null ? "—" : times(g.measured), verdict(g), g.detail]),
    false,
  );
}

function measuredServers(result: RuntimeBenchResult): ServerSpec[] {
  return result.servers.filter((o) => result.summaries.some((s) => s.server === o.spec.id)).map((o) => o.spec);
}

function cells(result: RuntimeBenchResult, servers: readonly ServerSpec[], cell: (s: Summary) => string): string[][] {
  return servers.map((server) => [
    server.label,
    ...result.workloads.map((w) => {
      const summary = findSummary(result.summaries, server.id, w.id);
      return summary === undefined ? "—" : cell(summary);
    }),
  ]);
}

function errorsSection(result: RuntimeBenchResult, servers: readonly ServerSpec[]): string {
  const failing = result.summaries.filter((s) => s.httpErrors + s.socketErrors > 0);
  if (failing.length === 0) return "No HTTP or socket errors in any measurement.";
  const label = (id: string) => servers.find((s) => s.id === id)?.label ?? id;
  return table(
    ["server", "workload", "HTTP ≥ 400", "socket errors and timeouts"],
    failing.map((s) => [label(s.server), s.workload, thousands(s.httpErrors), thousands(s.socketErrors)]),
  );
}

function spread(summary: Summary): string {
  const rounds = summary.requestsPerSecondByRound;
  const lowest = Math.min(...rounds);
  return rounds.length < 2 ? "—" : lowest > 0 ? times(Math.max(...rounds) / lowest) : "∞";
}

/** The Markdown of a runtime bench; `heading` is the level of its title ("##"). */
export function runtimeReport(result: RuntimeBenchResult, heading = "##"): string {
  const sub = `${heading}#`;
  if (result.skipped !== null) return `${heading} Runtime\n\nNot measured: ${result.skipped}\n`;
  const { settings } = result;
  const servers = measuredServers(result);
  const columns = result.workloads.map((w) => `${w.label} (${w.connections} conn.)`);
  const throughput = servers.map((server) => [
    server.label,
    server.concurrencyCap === null ? "—" : String(server.concurrencyCap),
    ...result.workloads.map((w) => {
      const s = findSummary(result.summaries, server.id, w.id);
      if (s === undefined) return "—";
      return s.ratioToPlain === null ? thousands(s.requestsPerSecond) : `${thousands(s.requestsPerSecond)} (${times(s.ratioToPlain)})`;
    }),
    ((peak) => (peak === null ? "—" : mib(peak)))(peakRssOf(result.summaries, server.id)),
  ]);
  const notMeasured = result.servers.filter((o) => o.problem !== null);
  return [
    `${heading} Runtime: ${settings.mode} mode, ${settings.rounds} rounds × ${settings.seconds} s per server and workload, medians`,
    "",
    `${sub} Goals`,
    "",
    goalsTable(result.goals),
    "",
    `${sub} Requests per second (× plain node:http)`,
    "",
    "`at once`: requests the server runs concurrently by design (processes × threads). Peak RSS: the highest sum of RSS over the server's process tree during any of its loads.",
    "",
    table(["server", "at once", ...columns, "peak RSS"], throughput),
    "",
    `${sub} Latency p50 / p99 (ms)`,
    "",
    table(["server", ...columns], cells(result, servers, (s) => `${ms(s.p50Ms)} / ${ms(s.p99Ms)}`)),
    "",
    errorsSection(result, servers),
    "",
    `${sub} Spread between rounds (highest / lowest req/s)`,
    "",
    "How far the rounds of one cell were apart: the machine's own noise. Near 1.0× the medians can be compared closely; far from it, only large differences mean something.",
    "",
    table(["server", ...columns], cells(result, servers, spread)),
    "",
    `${sub} Server CPU per request (µs, user + system over the process tree)`,
    "",
    table(["server", ...columns], cells(result, servers, (s) => (s.cpuMicrosPerRequest === null ? "—" : thousands(s.cpuMicrosPerRequest)))),
    "",
    ...(notMeasured.length === 0 ? [] : [`${sub} Not measured`, "", ...notMeasured.map((o) => `- ${o.spec.label}: ${o.problem!.split("\n")[0]}`), ""]),
    `${sub} Notes`,
    "",
    ...result.notes.map((n) => `- ${n}`),
    "",
  ].join("\n");
}
