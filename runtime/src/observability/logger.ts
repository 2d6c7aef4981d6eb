import { createRequire } from "node:module";
import { pino, type DestinationStream, type Logger } from "pino";

// pino-pretty (about sixty modules) is loaded only by a process that writes for a person.
type PrettyOptions = Parameters<typeof import("pino-pretty").build>[0];
const prettyStream = (options: PrettyOptions): DestinationStream => (createRequire(import.meta.url)("pino-pretty") as typeof import("pino-pretty")).build(options);

// The log schema is shared with the operator's logger and documented in docs/logging.md:
// one JSON object a line with `level` as a word, an ISO `time`, `pid`, `component` and `msg`.
// The two files stay apart (operator and runtime never import each other); a unit test
// checks that they write the same schema.

export const LOG_LEVELS = ["fatal", "error", "warn", "info", "debug", "trace", "silent"] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];
export const LOG_FORMATS = ["json", "pretty"] as const;
export type LogFormat = (typeof LOG_FORMATS)[number];

/** Set by `processgroup serve --log-format`, and inherited by the processes it starts. */
export const LOG_FORMAT_ENV = "PROCESSGROUP_LOG_FORMAT";

export function isLogLevel(value: string): value is LogLevel {
  return (LOG_LEVELS as readonly string[]).includes(value);
}

/** JSON for pods and pipes, readable lines for a person at a terminal; the environment can force either. */
export function logFormatOf(env: NodeJS.ProcessEnv, stdoutIsTty: boolean): LogFormat {
  const chosen = env[LOG_FORMAT_ENV];
  if (chosen === "json" || chosen === "pretty") return chosen;
  return stdoutIsTty ? "pretty" : "json";
}

export interface LoggerOptions {
  /** Who writes the lines: "runtime" (a process serving apps), "supervisor" (`serve`'s parent). */
  readonly component: "runtime" | "supervisor";
  readonly format?: LogFormat;
  /** Where the lines go instead of stdout (tests). */
  readonly destination?: DestinationStream;
}

/** The same in the operator's logger: a person reads "12:00:01.250 INFO (4242): supervisor site1: serving {...}". */
const PRETTY_OPTIONS = (colorize: boolean) => ({
  sync: true,
  colorize,
  translateTime: "SYS:HH:MM:ss.l",
  ignore: "hostname,component,processGroup",
  messageFormat: "{component}{if processGroup} {processGroup}{end}: {msg}",
  singleLine: true,
});

export function prettyDestination(colorize: boolean): DestinationStream {
  return prettyStream(PRETTY_OPTIONS(colorize));
}

/** One logger per process; the base object tells the lines of sibling processes apart. */
export function createLogger(level: string, base: Record<string, unknown>, options: LoggerOptions = { component: "runtime" }): Logger {
  const format = options.format ?? logFormatOf(process.env, process.stdout.isTTY === true);
  const destination = options.destination ?? (format === "pretty" ? prettyDestination(process.stdout.isTTY === true) : undefined);
  const settings = {
    level,
    base: { pid: process.pid, component: options.component, ...base },
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: { level: (label: string) => ({ level: label }) },
  };
  return destination ? pino(settings, destination) : pino(settings);
}
