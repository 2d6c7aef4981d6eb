import { readdir, readFile, stat } from "node:fs/promises";
import { join } from "node:path";
import { CommandError, UsageError } from "./errors.ts";

/** A ProcessGroup file's text and the name its problems are reported under. */
export interface Source {
  readonly file: string;
  readonly text: string;
}

export const STDIN = "<stdin>";

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString("utf8");
}

/** What the -f values name, the way kubectl reads them: `-` is stdin, a folder is its *.yaml and *.yml files. */
export async function readSources(paths: readonly string[]): Promise<Source[]> {
  if (paths.length === 0) throw new UsageError("-f FILE is required (a file, a folder of *.yaml files, or - for stdin)");
  const sources: Source[] = [];
  for (const path of paths) {
    if (path === "-") {
      sources.push({ file: STDIN, text: await readStdin() });
      continue;
    }
    const info = await stat(path).catch((error: NodeJS.ErrnoException) => {
      throw new CommandError(`${path}: cannot read the file (${error.code ?? String(error)})`);
    });
    if (!info.isDirectory()) {
      sources.push({ file: path, text: await readFile(path, "utf8").catch((error: NodeJS.ErrnoException) => {
        throw new CommandError(`${path}: cannot read the file (${error.code ?? String(error)})`);
      }) });
      continue;
    }
    const names = (await readdir(path)).filter((n) => /\.ya?ml$/.test(n)).sort();
    if (names.length === 0) throw new CommandError(`${path}: no *.yaml files in the folder`);
    for (const name of names) sources.push({ file: join(path, name), text: await readFile(join(path, name), "utf8") });
  }
  return sources;
}
