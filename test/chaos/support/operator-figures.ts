import { reportFigures } from "./figures.ts";
import type { Convergence } from "./operator-convergence.ts";
import type { ChangeDriver } from "./operator-driver.ts";
import type { OperatorReplicas } from "./operator-replicas.ts";

export interface OperatorScenario {
  readonly scenario: string;
  readonly driver: ChangeDriver;
  /** How long the driver made changes while faults were injected. */
  readonly drivenMs: number;
  readonly replicas: OperatorReplicas;
  readonly faults: string;
  readonly convergence: Convergence;
  readonly seed: number;
  readonly notes?: string;
}

/**
 * The figures of an operator scenario: requests are the ProcessGroup changes made, failed the
 * groups not as last asked at the end, lost the changes whose generation was never observed.
 */
export function reportOperatorScenario(s: OperatorScenario): void {
  const kinds = new Map<string, number>();
  for (const change of s.driver.changes) kinds.set(change.kind, (kinds.get(change.kind) ?? 0) + 1);
  const mix = [...kinds].map(([kind, n]) => `${n} ${kind}`).join(", ");
  const groups = s.driver.desired.size;
  const notConverged = [...s.convergence.notConverged].map(([name, problems]) => `${name}: ${problems.join("; ")}`).join(" | ");
  reportFigures({
    scenario: s.scenario,
    load: `${s.driver.changes.length} ProcessGroup changes (${mix}) to ${groups} groups in ${(s.drivenMs / 1000).toFixed(0)} s, ${s.replicas.started.length} operator processes over the run`,
    faults: s.faults,
    requests: s.driver.changes.length,
    failed: s.convergence.notConverged.size,
    lost: s.convergence.lost,
    notes: [
      `converged ${(s.convergence.ms / 1000).toFixed(1)} s after the last change${s.convergence.slowest ? ` (last waited for: ${s.convergence.slowest})` : ""}`,
      `${s.replicas.count("reconciled")} reconciles that wrote, ${s.replicas.count("conflict; retrying")} conflict retries, ${s.replicas.count("reconcile failed; retrying")} failed reconciles retried`,
      `${s.replicas.count("became leader")} times a replica became leader, ${s.replicas.count("could not renew the lease in time; no longer leader")} times a leader gave up its lease`,
      `${s.driver.retries} driver calls retried`,
      `driver seed ${s.seed}`,
      ...(s.notes ? [s.notes] : []),
      ...(notConverged ? [`not converged: ${notConverged}`] : []),
    ].join("; "),
  });
}
