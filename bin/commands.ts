import type { Command } from "./command.ts";
import { crd } from "./commands/crd.ts";
import { render } from "./commands/render.ts";

// One file per command under commands/; each imports its implementation lazily, so
// `processgroup render` never loads the runtime and `processgroup serve` never loads the operator.
export const commands: readonly Command[] = [render, crd];
