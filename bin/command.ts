import { parseArgs, type ParseArgsOptionDescriptor } from "node:util";

export interface OptionSpec extends ParseArgsOptionDescriptor {
  readonly description: string;
  readonly valueName?: string;
}

export interface Command<V = Record<string, string | boolean | string[] | undefined>> {
  readonly name: string;
  readonly summary: string;
  readonly usage: string;
  readonly description?: string;
  readonly options: Record<string, OptionSpec>;
  /** Returns the exit code; long-running commands resolve when they stop. */
  readonly run: (values: V, positionals: string[]) => Promise<number>;
}

export function helpOf(command: Command): string {
  const rows = Object.entries({ ...command.options, help: { type: "boolean", short: "h", description: "Show this help." } as OptionSpec }).map(
    ([name, o]) => {
      const flag = `${o.short ? `-${o.short}, ` : "    "}--${name}${o.type === "string" ? ` ${o.valueName ?? "VALUE"}` : ""}`;
      const fallback = o.default !== undefined ? ` (default: ${String(o.default)})` : "";
      return `  ${flag.padEnd(30)} ${o.description}${fallback}`;
    },
  );
  return [`Usage: processgroup ${command.usage}`, "", command.description ?? command.summary, "", "Options:", ...rows, ""].join("\n");
}

export class UsageError extends Error {}

/** Parses argv for a command; --help prints its help. Unknown flags are usage errors (exit 2). */
export async function runCommand(command: Command, argv: string[]): Promise<number> {
  const options = { ...command.options, help: { type: "boolean" as const, short: "h" } };
  let parsed;
  try {
    parsed = parseArgs({ args: argv, options, allowPositionals: true, strict: true });
  } catch (error) {
    process.stderr.write(`processgroup ${command.name}: ${(error as Error).message}\n\n${helpOf(command)}`);
    return 2;
  }
  if (parsed.values["help"]) {
    process.stdout.write(helpOf(command));
    return 0;
  }
  try {
    return await command.run(parsed.values, parsed.positionals);
  } catch (error) {
    if (error instanceof UsageError) {
      process.stderr.write(`processgroup ${command.name}: ${error.message}\n\n${helpOf(command)}`);
      return 2;
    }
    throw error;
  }
}
