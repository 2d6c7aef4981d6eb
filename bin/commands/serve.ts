import { UsageError, type Command } from "../command.ts";

function portOf(value: unknown, flag: string): number {
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new UsageError(`${flag} must be a port number (0 picks a free one)`);
  return port;
}

export const serve: Command = {
  name: "serve",
  summary: "Run a ProcessGroup file on this machine: its processes and threads, no cluster needed.",
  usage: "serve -f FILE [--port 8000] [--host 127.0.0.1] [--admin-port 8001] [--name NAME]",
  description:
    "Run the ProcessGroup in FILE the way mod_wsgi-express start-server runs a daemon group: `processes`\nOS processes (default 1) share the port, each with `threads` worker threads per application group,\nand the apps see the same multiprocess/multithread flags as in a cluster. Entry paths are resolved\nrelative to the file's folder. The admin port serves /healthz, /readyz and /metrics for all processes.\nLogs are JSON lines on stdout. Ctrl-C or SIGTERM drains in-flight requests, then exits.",
  options: {
    file: { type: "string", short: "f", valueName: "FILE", description: "ProcessGroup YAML file." },
    name: { type: "string", valueName: "NAME", description: "Which ProcessGroup of the file to run, when it has several." },
    port: { type: "string", short: "p", valueName: "PORT", default: "8000", description: "Port of the apps." },
    host: { type: "string", valueName: "HOST", default: "127.0.0.1", description: "Address to listen on." },
    "admin-port": { type: "string", valueName: "PORT", default: "8001", description: "Port of /healthz, /readyz and /metrics." },
    "access-log": { type: "boolean", default: false, description: "Log a JSON line per request." },
    "log-level": { type: "string", valueName: "LEVEL", default: "info", description: "pino level: debug, info, warn, error." },
    "no-reload": { type: "boolean", default: false, description: "Do not reload a group's threads when an entry file changes." },
  },
  async run(values) {
    const file = values["file"];
    if (typeof file !== "string") throw new UsageError("-f FILE is required");
    const name = values["name"];
    const host = String(values["host"]);
    const { serve: serveGroup } = await import("../../runtime/index.ts");
    return serveGroup({
      file,
      name: typeof name === "string" ? name : undefined,
      host,
      port: portOf(values["port"], "--port"),
      adminHost: host,
      adminPort: portOf(values["admin-port"], "--admin-port"),
      accessLog: values["access-log"] === true,
      logLevel: String(values["log-level"]),
      reloadOnChange: values["no-reload"] !== true,
    });
  },
};
