import { runCommand } from "./command.ts";
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
    "Run 'processgroup COMMAND --help' for a command's options.",
    "",
  ].join("\n");
}

export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === "--help" || name === "-h" || name === "help") {
    process.stdout.write(overview());
    return name === undefined ? 2 : 0;
  }
  const command = commands.find((c) => c.name === name);
  if (!command) {
    process.stderr.write(`processgroup: unknown command '${name}'\n\n${overview()}`);
    return 2;
  }
  return runCommand(command, rest);
}
