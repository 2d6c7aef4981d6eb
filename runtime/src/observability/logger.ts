import { pino, type Logger } from "pino";

/** JSON lines on stdout, one base object per process so lines from sibling processes tell apart. */
export function createLogger(level: string, base: Record<string, unknown>): Logger {
  return pino({ level, base: { pid: process.pid, ...base }, timestamp: pino.stdTimeFunctions.isoTime });
}
