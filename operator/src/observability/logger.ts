import { createRequire } from "node:module";
import { pino, type DestinationStream, type Logger } from "pino";

// pino-pretty (about sixty modules) is loaded only by a process that writes for a person.
type PrettyOptions = Parameters<typeof import("pino-pretty").build>[0];
const prettyStream = (options: PrettyOptions): DestinationStream => (createRequire(import.meta.url)("pino-pretty") as typeof import("pino-pretty")).build(options);

// The log schema is shared with the runtime's logger and documented in docs/logging.md:
// one JSON object a line with `level` as a word, an ISO `time`, `pid`, `component` and `msg`.

export const LOG_LEVELS = ["fatal", "error", "warn", "info", "debug", "trace", "silent"] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];
export const LOG_FORMATS = ["json", "pretty"] as const;
export type LogFormat = (typeof LOG_FORMATS)[number];

/** PROCESSGROUP_LOG_FORMAT when it names a format, else pretty for a terminal and JSON otherwise. */
export function defaultLogFormat(env: NodeJS.ProcessEnv, stdoutIsTty: boolean): LogFormat {
  const chosen = env["PROCESSGROUP_LOG_FORMAT"];
  if (chosen === "json" || chosen === "pretty") return chosen;
  return stdoutIsTty ? "pretty" : "json";
}

/** JSON lines on stdout (or the given stream), or readable lines for a person at a terminal. */
export function createLogger(level: LogLevel, destination?: DestinationStream, format: LogFormat = "json"): Logger {
  const options = {
    level,
    base: { pid: process.pid, component: "operator" },
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: { level: (label: string) => ({ level: label }) },
  };
  const out = destination ?? (format === "pretty" ? prettyStream({ sync: true, colorize: process.stdout.isTTY === true, translateTime: "SYS:HH:MM:ss.l", ignore: "hostname,component", messageFormat: "{component}: {msg}", singleLine: true }) : undefined);
  return out ? pino(options, out) : pino(options);
}
