import type { Command } from "./command.ts";
import { crd } from "./commands/crd.ts";
import { operator } from "./commands/operator.ts";
import { render } from "./commands/render.ts";
import { run } from "./commands/run.ts";
import { serve } from "./commands/serve.ts";

// One file per command under commands/; each imports its implementation lazily, so
// `processgroup render` never loads the runtime and `processgroup serve` never loads the operator.
export const commands: readonly Command[] = [serve, run, render, operator, crd];
