import { DISPATCH_ENV } from "../settings/dispatch.ts";
import { dispatchFromEnv } from "../settings/dispatch-from-env.ts";
import { TAKEOVER_ENV, takeoverFromEnv } from "../once/once-backend.ts";
import type { LocalOptions } from "../settings/runtime-settings.ts";
import { groupFromFile, type GroupFromFile } from "../settings/settings-from-file.ts";

/** A ProcessGroup file's text and the name it goes by (its path, or "<stdin>"). */
export interface Source {
  readonly file: string;
  readonly text: string;
}

/** What `serve` parses: its files, the group it was asked for, and its options but those from the environment (dispatch, once takeover). */
export interface GroupQuery {
  readonly sources: readonly Source[];
  readonly name: string | undefined;
  readonly local: Omit<LocalOptions, "dispatch" | "onceTakeoverMs">;
}

/** The one group to run among the sources: the named one, or the only one, with every problem worded for the user. */
export function pickGroup(query: GroupQuery, env: Readonly<Record<string, string | undefined>>): GroupFromFile {
  const dispatch = dispatchFromEnv(env);
  if (!dispatch.ok) return { ok: false, errors: [`${DISPATCH_ENV} ${dispatch.message}`] };
  const takeover = takeoverFromEnv(env);
  if (!takeover.ok) return { ok: false, errors: [`${TAKEOVER_ENV} ${takeover.message}`] };
  const local: LocalOptions = { ...query.local, dispatch: dispatch.dispatch, onceTakeoverMs: takeover.ms };
  const results = query.sources.map((s) => groupFromFile(s.text, s.file, local, query.name));
  const found = results.filter((r) => r.ok);
  const invalid = results.flatMap((r) => (r.ok || r.errors.every((e) => / no ProcessGroup( named \S+| in the file)$/.test(e)) ? [] : r.errors));
  if (invalid.length > 0) return { ok: false, errors: invalid };
  if (found.length === 1) return found[0]!;
  if (found.length > 1) return { ok: false, errors: [`${found.length} files hold a ProcessGroup; name one with --name`] };
  return results.length === 1 ? results[0]! : { ok: false, errors: [query.name === undefined ? "no ProcessGroup in the files" : `no ProcessGroup named ${query.name} in the files`] };
}
