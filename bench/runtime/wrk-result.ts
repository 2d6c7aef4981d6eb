// Reads what wrk-report.lua prints at the end of a wrk run. Pure: wrk's stdout in, numbers out,
// or an error that says what was wrong with the output.

export interface WrkResult {
  readonly requests: number;
  readonly seconds: number;
  readonly requestsPerSecond: number;
  readonly bytes: number;
  readonly p50Ms: number;
  readonly p90Ms: number;
  readonly p99Ms: number;
  readonly maxMs: number;
  /** Responses with status >= 400. */
  readonly httpErrors: number;
  readonly connectErrors: number;
  readonly readErrors: number;
  readonly writeErrors: number;
  readonly timeouts: number;
}

const MARKER = "WRK_RESULT ";

const FIELDS = [
  "requests",
  "durationMicros",
  "bytes",
  "connectErrors",
  "readErrors",
  "writeErrors",
  "timeouts",
  "httpErrors",
  "p50Micros",
  "p90Micros",
  "p99Micros",
  "maxMicros",
] as const;

type Field = (typeof FIELDS)[number];

export class WrkOutputError extends Error {
  override readonly name = "WrkOutputError";
}

function countOf(record: Record<string, unknown>, field: Field): number {
  const value = record[field];
  if (typeof value !== "number" || !Number.isFinite(value) || value < 0 || !Number.isInteger(value)) {
    throw new WrkOutputError(`wrk result: ${field} must be a whole number >= 0, got ${JSON.stringify(value)}`);
  }
  return value;
}

export function parseWrkOutput(stdout: string): WrkResult {
  const lines = stdout.split("\n").filter((line) => line.startsWith(MARKER));
  if (lines.length !== 1) {
    throw new WrkOutputError(`wrk output: expected one ${MARKER.trim()} line from wrk-report.lua, found ${lines.length}`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(lines[0]!.slice(MARKER.length));
  } catch (error) {
    throw new WrkOutputError(`wrk result is not JSON: ${(error as Error).message}`);
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) throw new WrkOutputError("wrk result must be a JSON object");
  const record = parsed as Record<string, unknown>;
  const n = Object.fromEntries(FIELDS.map((field) => [field, countOf(record, field)])) as Record<Field, number>;
  if (n.durationMicros === 0) throw new WrkOutputError("wrk result: durationMicros is 0");
  const seconds = n.durationMicros / 1e6;
  return {
    requests: n.requests,
    seconds,
    requestsPerSecond: n.requests / seconds,
    bytes: n.bytes,
    p50Ms: n.p50Micros / 1000,
    p90Ms: n.p90Micros / 1000,
    p99Ms: n.p99Micros / 1000,
    maxMs: n.maxMicros / 1000,
    httpErrors: n.httpErrors,
    connectErrors: n.connectErrors,
    readErrors: n.readErrors,
    writeErrors: n.writeErrors,
    timeouts: n.timeouts,
  };
}

export function socketErrorsOf(result: WrkResult): number {
  return result.connectErrors + result.readErrors + result.writeErrors + result.timeouts;
}
