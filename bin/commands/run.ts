import type { Command } from "../command.ts";

export const run: Command = {
  name: "run",
  summary: "Run one runtime process from the operator's contract (PROCESSGROUP_* environment): the pod's command.",
  usage: "run",
  description:
    "Run one runtime process the way a pod does: settings come from the PROCESSGROUP_* environment the operator\nsets (docs/contract.md), apps are served on PROCESSGROUP_PORT and /healthz, /readyz, /metrics on\nPROCESSGROUP_ADMIN_PORT. SIGTERM drains in-flight requests, then exits. A bad environment prints each problem and exits 1.",
  options: {},
  async run() {
    const { settingsFromEnv, runProcess } = await import("../../runtime/run.ts");
    const result = settingsFromEnv(process.env);
    if (!result.ok) {
      process.stderr.write(`processgroup run: the environment breaks the operator-runtime contract:\n${result.problems.map((p) => `  ${p.path}: ${p.message}`).join("\n")}\n`);
      return 1;
    }
    return runProcess(result.settings, { adminServer: true });
  },
};
