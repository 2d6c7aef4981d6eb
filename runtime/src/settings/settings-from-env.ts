import { ENV, RuntimeEnv, parseWith, type FieldProblem } from "../../../crds/index.ts";
import { DISPATCH_ENV } from "./dispatch.ts";
import { dispatchFromEnv } from "./dispatch-from-env.ts";
import { TAKEOVER_ENV, takeoverFromEnv } from "../once/once-backend.ts";
import type { RuntimeSettings } from "./runtime-settings.ts";
import { DEFAULT_LOCAL_OPTIONS, settingsOf } from "./settings-of.ts";

/**
 * Optional knobs an image may set (`ENV` in its Dockerfile). The operator sets none of them,
 * and spec.env cannot (the prefix is reserved), so their defaults are what a pod runs with.
 */
export const OPTIONAL_ENV = {
  accessLog: "PROCESSGROUP_ACCESS_LOG",
  logLevel: "PROCESSGROUP_LOG_LEVEL",
  reload: "PROCESSGROUP_RELOAD",
} as const;

export type SettingsResult = { readonly ok: true; readonly settings: RuntimeSettings } | { readonly ok: false; readonly problems: readonly FieldProblem[] };

/** The settings of `processgroup run`: the operator-runtime contract, parsed at the edge. */
export function settingsFromEnv(env: Readonly<Record<string, string | undefined>>): SettingsResult {
  const parsed = parseWith(RuntimeEnv, env);
  if (!parsed.ok) return parsed;
  const dispatch = dispatchFromEnv(env);
  if (!dispatch.ok) return { ok: false, problems: [{ path: DISPATCH_ENV, message: dispatch.message }] };
  const takeover = takeoverFromEnv(env);
  if (!takeover.ok) return { ok: false, problems: [{ path: TAKEOVER_ENV, message: takeover.message }] };
  const e = parsed.value;
  const settings = settingsOf(
    { processGroup: e[ENV.name], multiprocess: e[ENV.multiprocess], multithread: e[ENV.multithread] },
    { ...e[ENV.config], threads: e[ENV.threads], concurrency: e[ENV.concurrency] ?? e[ENV.config].concurrency },
    {
      ...DEFAULT_LOCAL_OPTIONS,
      port: e[ENV.port],
      adminPort: e[ENV.adminPort],
      accessLog: env[OPTIONAL_ENV.accessLog] === "true",
      logLevel: env[OPTIONAL_ENV.logLevel] ?? DEFAULT_LOCAL_OPTIONS.logLevel,
      reloadOnChange: env[OPTIONAL_ENV.reload] !== "false",
      dispatch: dispatch.dispatch,
      onceTakeoverMs: takeover.ms,
    },
  );
  return { ok: true, settings };
}
