import type { Readable } from "node:stream";

/** One line of a child's pino JSON log. */
export type LogLine = Record<string, unknown> & { msg?: string };

/**
 * Appends each line a child writes to `stream` to `into`, parsed as JSON; a line that is not
 * JSON is kept as its `msg`, so nothing the child said is lost from a failure's report.
 */
export function collectJsonLines(stream: Readable, into: LogLine[]): void {
  let partial = "";
  stream.setEncoding("utf8").on("data", (data: string) => {
    const lines = (partial + data).split("\n");
    partial = lines.pop() ?? "";
    for (const line of lines) {
      try {
        into.push(JSON.parse(line) as LogLine);
      } catch {
        into.push({ msg: `(not JSON) ${line}` });
      }
    }
  });
}
