import type { RuntimeSettings } from "../settings/runtime-settings.ts";

// What `serve` shows a person once the group is up, after mod_wsgi-express's start-up lines
// ("Server URL : http://localhost:8000/", "Request Capacity : 5 (1 process * 5 threads)").

export interface ServingFacts {
  readonly file: string;
  readonly url: string;
  readonly adminUrl: string;
  readonly processes: number;
  /** Null when every process is ready, else why not. */
  readonly notReady: readonly string[] | null;
}

export function urlOf(host: string, port: number): string {
  return `http://${host.includes(":") ? `[${host}]` : host}:${port}/`;
}

/** Each application group with the mounts its threads serve, as "group: /blog (blog), / (site)". */
export function mountsByGroup(settings: RuntimeSettings): Record<string, string[]> {
  const groups: Record<string, string[]> = {};
  for (const app of settings.applications) (groups[app.applicationGroup] ??= []).push(`${app.mount} (${app.name})`);
  return groups;
}

export function bannerLines(settings: RuntimeSettings, facts: ServingFacts): string[] {
  const groups = mountsByGroup(settings);
  const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? "" : "es"}`;
  const rows: [string, string][] = [
    ["ProcessGroup", `${settings.processGroup} (${facts.file})`],
    ["Server URL", facts.url],
    ["Admin URL", `${facts.adminUrl} (healthz, readyz, metrics)`],
    ["Request Capacity", `${facts.processes * settings.threads} per application group (${plural(facts.processes, "process")} x ${settings.threads} threads)`],
    ["Flags", `multiprocess=${settings.multiprocess} multithread=${settings.multithread}`],
    ...Object.entries(groups).map(([group, mounts]): [string, string] => [`Group ${group}`, mounts.join(", ")]),
    ["Request Timeout", settings.requestTimeoutSeconds === undefined ? "none" : `${settings.requestTimeoutSeconds} (seconds)`],
    ["Graceful Timeout", `${settings.gracefulTimeoutSeconds} (seconds)`],
    ["Readiness", facts.notReady === null ? "ready" : `NOT READY: ${facts.notReady.join("; ")}`],
  ];
  const width = Math.max(...rows.map(([label]) => label.length));
  return [...rows.map(([label, value]) => `${label.padEnd(width)} : ${value}`), "", "Ctrl-C drains in-flight requests and stops; a second Ctrl-C stops at once.", ""];
}
