import { parseArgs, type ParseArgsOptionDescriptor } from "node:util";
import { CommandError, UsageError } from "./errors.ts";

export { CommandError, UsageError };

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

/** parseArgs's messages, in one line each that names the way to the command's help. */
function usageMessage(error: Error & { code?: string }, command: Command): string {
  const see = `(see processgroup ${command.name} --help)`;
  const option = /'([^']+)'/.exec(error.message)?.[1];
  if (error.code === "ERR_PARSE_ARGS_UNKNOWN_OPTION") return `unknown option '${option}' ${see}`;
  if (error.code === "ERR_PARSE_ARGS_INVALID_OPTION_VALUE") return `${error.message.replace(/\.$/, "").replace(/^Option /, "option ")} ${see}`;
  if (error.code === "ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL") return `unexpected argument '${option}' ${see}`;
  return `${error.message} ${see}`;
}

/** Parses argv for a command; --help prints its help. Usage errors are one line on stderr, exit 2. */
export async function runCommand(command: Command, argv: string[]): Promise<number> {
  const options = { ...command.options, help: { type: "boolean" as const, short: "h" } };
  let parsed;
  try {
    parsed = parseArgs({ args: argv, options, allowPositionals: true, strict: true });
  } catch (error) {
    process.stderr.write(`processgroup ${command.name}: ${usageMessage(error as Error, command)}\n`);
    return 2;
  }
  if (parsed.values["help"]) {
    process.stdout.write(helpOf(command));
    return 0;
  }
  const [extra] = parsed.positionals;
  if (extra !== undefined) {
    process.stderr.write(`processgroup ${command.name}: unexpected argument '${extra}' (see processgroup ${command.name} --help)\n`);
    return 2;
  }
  try {
    return await command.run(parsed.values, parsed.positionals);
  } catch (error) {
    if (error instanceof UsageError) {
      process.stderr.write(`processgroup ${command.name}: ${error.message} (see processgroup ${command.name} --help)\n`);
      return 2;
    }
    if (error instanceof CommandError) {
      process.stderr.write(`processgroup ${command.name}: ${error.message}\n`);
      return 1;
    }
    throw error;
  }
}
