import type { Requirements } from "../../../crds/index.ts";

interface RunningFlags {
  readonly multiprocess: boolean;
  readonly multithread: boolean;
}

const WHY: Record<keyof Requirements, Record<"true" | "false", string>> = {
  multiprocess: {
    true: "multiprocess is true exactly when the group sets processes (even to 1)",
    false: "multiprocess is false only when the group omits processes: this app needs processes omitted",
  },
  multithread: {
    true: "multithread is true exactly when threads > 1",
    false: "multithread is false only with threads: 1: this app needs threads: 1",
  },
};

/**
 * Why an application cannot run in this mode, or undefined when it can. The seeds' advice:
 * an app that cannot live with the flags should get a 500 that says so, not misbehave.
 */
export function requirementProblem(app: { readonly name: string; readonly requires: Requirements | undefined }, running: RunningFlags): string | undefined {
  const problems = (["multiprocess", "multithread"] as const).flatMap((flag) => {
    const wanted = app.requires?.[flag];
    if (wanted === undefined || wanted === running[flag]) return [];
    return [`application ${app.name} requires ${flag}=${wanted} but the group runs with ${flag}=${running[flag]} (${WHY[flag][String(wanted) as "true" | "false"]})`];
  });
  return problems.length > 0 ? problems.join("; ") : undefined;
}
