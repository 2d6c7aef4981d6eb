// The results as Markdown, for stdout and for the section of BENCHMARKS.md between the markers.
import type { BenchResults } from "./results.ts";
import { runtimeReport } from "./runtime/report.ts";

export const START_MARKER = "<!-- bench:results:start -->";
export const END_MARKER = "<!-- bench:results:end -->";

const gib = (bytes: number) => `${(bytes / 2 ** 30).toFixed(0)} GiB`;

export function resultsMarkdown(results: BenchResults, source: string): string {
  const { machine, versions } = results;
  const v = (name: string, version: string | null) => `${name} ${version ?? "(missing)"}`;
  const lines = [
    `Run of ${results.date} (${results.mode} mode, \`${results.command}\`), from \`${source}\`.`,
    "",
    `Machine: ${machine.cpuModel}, ${machine.cores} cores, ${gib(machine.memoryBytes)}, Linux ${machine.kernel} (${machine.os}); load average ${machine.loadAverage.join(" ")} at the start, ${machine.loadAverageAtEnd.join(" ")} at the end.`,
    "",
    `Versions: ${[v("Node", versions.node), v("Apache", versions.apache), v("mod_wsgi", versions.modWsgi), v("Python", versions.python), v("PM2", versions.pm2), v("wrk", versions.wrk)].join(", ")}.`,
    "",
  ];
  if (results.runtime !== null) lines.push(runtimeReport(results.runtime, "###"));
  if (results.operator !== null) {
    lines.push("### Operator", "");
    lines.push(results.operator.error !== null ? `Not measured: ${results.operator.error}` : (results.operator.table ?? "(no table)"), "");
  }
  return lines.join("\n");
}

/** `document` with the text between the markers replaced by `section`; an error if the markers are missing. */
export function replaceResultsSection(document: string, section: string): string {
  const start = document.indexOf(START_MARKER);
  const end = document.indexOf(END_MARKER);
  if (start === -1 || end === -1 || end < start) throw new Error(`BENCHMARKS.md must hold ${START_MARKER} followed by ${END_MARKER}`);
  return `${document.slice(0, start + START_MARKER.length)}\n${section.trim()}\n${document.slice(end)}`;
}
