import { readFileSync } from "node:fs";
import { helpOf, runCommand } from "./command.ts";
import { commands } from "./commands.ts";

function overview(): string {
  const width = Math.max(...commands.map((c) => c.name.length));
  return [
    "Usage: processgroup COMMAND [options]",
    "",
    "mod_wsgi's daemon process groups for Node.js web apps on Kubernetes.",
    "",
    "Commands:",
    ...commands.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    "",
    "Run 'processgroup help COMMAND' or 'processgroup COMMAND --help' for a command's options,",
    "'processgroup --version' for the version.",
    "",
  ].join("\n");
}

/** The version in package.json, the one place it is kept. */
function version(): string {
  const manifest = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")) as { version?: unknown };
  return String(manifest.version);
}

const unknownCommand = (name: string) => `processgroup: unknown command '${name}' (see processgroup --help)\n`;

export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === "--help" || name === "-h") {
    process.stdout.write(overview());
    return name === undefined ? 2 : 0;
  }
  if (name === "--version" || name === "-V" || name === "version") {
    process.stdout.write(`processgroup ${version()} (Node ${process.versions.node})\n`);
    return 0;
  }
  if (name === "help") {
    const [topic, extra] = rest;
    if (topic === undefined) {
      process.stdout.write(overview());
      return 0;
    }
    const command = commands.find((c) => c.name === topic);
    if (!command || extra !== undefined) {
      process.stderr.write(command ? `processgroup help: unexpected argument '${extra}' (see processgroup --help)\n` : unknownCommand(topic));
      return 2;
    }
    process.stdout.write(helpOf(command));
    return 0;
  }
  const command = commands.find((c) => c.name === name);
  if (!command) {
    process.stderr.write(name.startsWith("-") ? `processgroup: unknown option '${name}' (see processgroup --help)\n` : unknownCommand(name));
    return 2;
  }
  return runCommand(command, rest);
}
