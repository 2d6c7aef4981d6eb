import { z } from "zod";
import { DISPATCH_ENV, DISPATCHES, type Dispatch } from "./dispatch.ts";

const DispatchValue = z.enum(DISPATCHES);

// Parsed where the other settings are (`run` from its env, `serve` from its file and flags), so
// a process that is handed its settings, as a `serve` child is, loads no parser for it.

/** The dispatch an image or a shell asked for (PROCESSGROUP_DISPATCH), or why it is not one. */
export function dispatchFromEnv(env: Readonly<Record<string, string | undefined>>): { readonly ok: true; readonly dispatch: Dispatch } | { readonly ok: false; readonly message: string } {
  const value = env[DISPATCH_ENV];
  if (value === undefined || value === "") return { ok: true, dispatch: "auto" };
  const parsed = DispatchValue.safeParse(value);
  return parsed.success ? { ok: true, dispatch: parsed.data } : { ok: false, message: `must be one of ${DISPATCHES.join(", ")} (got ${JSON.stringify(value)})` };
}
