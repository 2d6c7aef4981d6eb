import { UsageError, type Command } from "../command.ts";
import { readSources } from "../sources.ts";

function portOf(value: unknown, flag: string): number {
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new UsageError(`${flag} must be a port number from 0 to 65535 (0 picks a free one), not '${String(value)}'`);
  return port;
}

export const serve: Command = {
  name: "serve",
  summary: "Run a ProcessGroup file on this machine: its processes and threads, no cluster needed.",
  usage: "serve -f FILE [--port 8000] [--host 127.0.0.1] [--admin-port 8001] [--name NAME]",
  description:
    "Run the ProcessGroup in FILE the way mod_wsgi-express start-server runs a daemon group: `processes`\nOS processes (default 1) take the port's connections in turn, each with `threads` worker threads per application group,\nand the apps see the same multiprocess/multithread flags as in a cluster. Entry paths are resolved\nrelative to the file's folder (the current folder for -f -). The admin port serves /healthz, /readyz\nand /metrics for all processes. Logs are readable lines at a terminal and JSON lines otherwise.\nCtrl-C, SIGTERM or SIGHUP drains in-flight requests, then exits; a second Ctrl-C stops at once.",
  options: {
    file: { type: "string", short: "f", multiple: true, valueName: "FILE", description: "ProcessGroup YAML file, a folder of them, or - for stdin (repeatable)." },
    name: { type: "string", valueName: "NAME", description: "Which ProcessGroup to run, when the files hold several." },
    port: { type: "string", short: "p", valueName: "PORT", default: "8000", description: "Port of the apps (0: any free port)." },
    host: { type: "string", valueName: "HOST", default: "127.0.0.1", description: "Address to listen on." },
    "admin-port": { type: "string", valueName: "PORT", default: "8001", description: "Port of /healthz, /readyz and /metrics (0: any free port)." },
    "access-log": { type: "boolean", default: false, description: "Log a line per request." },
    "log-level": { type: "string", valueName: "LEVEL", default: "info", description: "fatal, error, warn, info, debug, trace or silent." },
    "log-format": { type: "string", valueName: "FORMAT", description: "json or pretty (default: pretty when stdout is a terminal, else json)." },
    "no-reload": { type: "boolean", default: false, description: "Do not reload a group's threads when an entry file changes." },
  },
  async run(values) {
    const files = values["file"];
    const name = values["name"];
    const host = String(values["host"]);
    const port = portOf(values["port"], "--port");
    const adminPort = portOf(values["admin-port"], "--admin-port");
    if (port === adminPort && port !== 0) throw new UsageError(`--port and --admin-port are both ${port}; give them different ports`);
    const { LOG_FORMATS, LOG_LEVELS, isLogLevel, logFormatOf } = await import("../../runtime/src/observability/logger.ts");
    const level = String(values["log-level"]);
    if (!isLogLevel(level)) throw new UsageError(`--log-level must be one of ${LOG_LEVELS.join(", ")}, not '${level}'`);
    const format = values["log-format"];
    if (format !== undefined && format !== "json" && format !== "pretty") throw new UsageError(`--log-format must be one of ${LOG_FORMATS.join(", ")}, not '${String(format)}'`);
    const sources = await readSources(Array.isArray(files) ? files : []);
    const { serve: serveGroup } = await import("../../runtime/serve.ts");
    return serveGroup({
      sources,
      name: typeof name === "string" ? name : undefined,
      host,
      port,
      adminHost: host,
      adminPort,
      accessLog: values["access-log"] === true,
      logLevel: level,
      logFormat: format ?? logFormatOf(process.env, process.stdout.isTTY === true),
      reloadOnChange: values["no-reload"] !== true,
    });
  },
};
