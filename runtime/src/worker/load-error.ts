import { fileURLToPath } from "node:url";

// Node reports a syntax error in an imported module without its file or line (the source
// arrow is kept only for an uncaught error), and a developer needs both. The modules this
// thread loaded are recorded, and on a SyntaxError Node's own checker finds the culprit.

const loaded: string[] = [];
/** A load failure is rare; checking more files than this costs the restart more than it helps. */
const MAX_CHECKED = 8;
const FRAME_IN_A_FILE = /\(?file:\/\/|^\s+at \//m;

/** Called by the thread's load hook for every module it loads. */
export function recordLoaded(url: string): void {
  if (url.startsWith("file:")) loaded.push(url);
}

/** `file:line`, the source line and its arrow, as `node --check` prints them; undefined if the file is fine. */
function syntaxLocation(url: string): string | undefined {
  // Loaded only on a failure: a thread that loads fine never pays for child_process.
  const { spawnSync } = process.getBuiltinModule("node:child_process");
  const checked = spawnSync(process.execPath, ["--check", fileURLToPath(url)], { encoding: "utf8", timeout: 5_000 });
  if (checked.status === 0) return undefined;
  const header = checked.stderr.split(/\n\s*\n/)[0]?.trim();
  return header || undefined;
}

/** The full error of a failed load, for the log: the stack, and for a syntax error where it is. */
export function loadErrorMessage(error: unknown): string {
  const stack = error instanceof Error ? (error.stack ?? error.message) : String(error);
  if (!(error instanceof SyntaxError) || FRAME_IN_A_FILE.test(stack)) return stack;
  for (const url of [...loaded].reverse().slice(0, MAX_CHECKED)) {
    const location = syntaxLocation(url);
    if (location) return `${location}\n\n${stack}`;
  }
  return stack;
}
