// bench/results/<date>.json: one run of `npm run bench`, everything needed to check or redraw it.
import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import type { Machine } from "./runtime/machine.ts";
import type { RuntimeBenchResult } from "./runtime/types.ts";

export const RESULTS_SCHEMA = 1;

export interface Versions {
  readonly node: string;
  readonly apache: string | null;
  readonly modWsgi: string | null;
  readonly python: string | null;
  readonly pm2: string | null;
  readonly wrk: string | null;
}

export interface OperatorSection {
  /** What benchOperator returned, as it returned it. */
  readonly result: unknown;
  /** operatorTable(result), kept so the Markdown can be redrawn without the operator code. */
  readonly table: string | null;
  readonly error: string | null;
}

export interface BenchResults {
  readonly schema: typeof RESULTS_SCHEMA;
  readonly date: string;
  readonly startedAt: string;
  readonly finishedAt: string;
  readonly mode: "quick" | "full";
  readonly command: string;
  readonly machine: Machine & { readonly loadAverageAtEnd: readonly number[] };
  readonly versions: Versions;
  readonly runtime: RuntimeBenchResult | null;
  readonly operator: OperatorSection | null;
}

export const RESULTS_DIR = new URL("./results/", import.meta.url);

/** The results file a run of `date` (YYYY-MM-DD) writes. */
export function resultsFileName(date: Date): string {
  return `${date.toISOString().slice(0, 10)}.json`;
}

/** The newest results file: names are dates, so the last in order. */
export async function newestResultsFile(dir: string): Promise<string | undefined> {
  const names = (await readdir(dir).catch(() => [])).filter((n) => /^\d{4}-\d{2}-\d{2}.*\.json$/.test(n)).sort();
  const last = names.at(-1);
  return last === undefined ? undefined : join(dir, last);
}

export async function readResults(file: string): Promise<BenchResults> {
  const parsed: unknown = JSON.parse(await readFile(file, "utf8"));
  if (typeof parsed !== "object" || parsed === null || (parsed as { schema?: unknown }).schema !== RESULTS_SCHEMA) {
    throw new Error(`${file}: not a bench results file of schema ${RESULTS_SCHEMA}`);
  }
  return parsed as BenchResults;
}
