import { appendFileSync, mkdirSync } from "node:fs";
import { dirname } from "node:path";
import { fileURLToPath } from "node:url";

/**
 * What one chaos scenario held and lost. Every scenario reports its figures, pass or fail,
 * so docs/reliability.md can be filled from a run rather than from memory.
 */
export interface ChaosFigures {
  /** e.g. "rolling restart of 3 processes under load". */
  readonly scenario: string;
  /** The load held while faults were injected, e.g. "16 keep-alive clients, 6.2k req/s". */
  readonly load: string;
  /** What was injected and how often, e.g. "SIGTERM to each of 3 processes, twice". */
  readonly faults: string;
  /** Requests (or objects, for operator scenarios) sent while the faults ran. */
  readonly requests: number;
  /** Requests that got no answer or an answer the scenario counts as failed. */
  readonly failed: number;
  /** Work accepted and then never completed (a request never answered, a reconcile never done). */
  readonly lost: number;
  readonly notes?: string;
}

const file = fileURLToPath(new URL("../../../.cluster/chaos/figures.jsonl", import.meta.url));

/** Prints the figures in the test output and appends them to .cluster/chaos/figures.jsonl. */
export function reportFigures(figures: ChaosFigures): void {
  const line = { at: new Date().toISOString(), mode: chaosMode(), ...figures };
  process.stderr.write(
    `[chaos] ${figures.scenario}: ${figures.requests} sent, ${figures.failed} failed, ${figures.lost} lost; load ${figures.load}; faults ${figures.faults}\n`,
  );
  mkdirSync(dirname(file), { recursive: true });
  appendFileSync(file, `${JSON.stringify(line)}\n`);
}

/** `quick` runs in CI with `npm test`; PROCESSGROUP_CHAOS=long runs the long form. */
export function chaosMode(): "quick" | "long" {
  return process.env["PROCESSGROUP_CHAOS"] === "long" ? "long" : "quick";
}

/** The seed of a scenario's random choices: PROCESSGROUP_CHAOS_SEED replays a run, else a new one each run (report it). */
export function chaosSeed(): number {
  const fromEnv = Number(process.env["PROCESSGROUP_CHAOS_SEED"]);
  return Number.isInteger(fromEnv) && fromEnv !== 0 ? fromEnv : Math.floor(Math.random() * 2 ** 31);
}
