import { AppsV1Api, CustomObjectsApi, type KubeConfig, type V1Deployment } from "@kubernetes/client-node";
import { setTimeout as sleep } from "node:timers/promises";
import { ENV, RUNTIME_CONTAINER } from "../../../crds/index.ts";
import { statusCodeOf } from "../../../operator/src/kube/api-errors.ts";
import { mergePatch, serverSideApply } from "../../../operator/src/kube/api-clients.ts";
import { processGroupApi } from "../../support/process-group-crd.ts";

// Another client writing the operator's objects while it works: an HPA-like scaler forcing
// its own replicas, a polite one that does not force, a kubectl user editing the Deployment
// (fresh or from a stale copy), and a writer of the ProcessGroup status. The operator applies
// with force under its own field manager: its fields must win, other managers' fields stay.

export const RIVAL_LABEL = "chaos.processgroup.dev/rival";
export const RIVAL_CONDITION = "ChaosRival";

export type RivalMove = "forced apply of replicas" | "polite apply of replicas" | "update from a stale copy" | "update of operator-owned env and labels" | "status overwritten" | "status update from a stale copy" | "label of its own";

/** What each kind of rival write did: taken by the API server, or refused with 409 Conflict. */
export interface MoveCount {
  taken: number;
  conflicts: number;
}

const MOVES: readonly RivalMove[] = ["forced apply of replicas", "polite apply of replicas", "update from a stale copy", "update of operator-owned env and labels", "status overwritten", "status update from a stale copy", "label of its own"];

export class RivalWriter {
  readonly moves = new Map<RivalMove, MoveCount>(MOVES.map((m) => [m, { taken: 0, conflicts: 0 }]));
  /** Groups whose Deployment carries the rival's own label. */
  readonly labelled = new Set<string>();
  readonly #apps: AppsV1Api;
  readonly #custom: CustomObjectsApi;
  readonly #namespace: string;
  readonly #live: () => readonly string[];
  #stopping = false;
  #running: Promise<void> | undefined;
  #touches = 0;

  constructor(kc: KubeConfig, namespace: string, live: () => readonly string[]) {
    this.#apps = kc.makeApiClient(AppsV1Api);
    this.#custom = kc.makeApiClient(CustomObjectsApi);
    this.#namespace = namespace;
    this.#live = live;
  }

  /** One write every 100-250 ms on a random live group, until stop(). */
  start(): void {
    this.#running ??= (async () => {
      while (!this.#stopping) {
        const names = this.#live();
        const name = names[Math.floor(Math.random() * names.length)];
        const move = MOVES[Math.floor(Math.random() * MOVES.length)];
        if (name && move) await this.#attempt(move, name);
        await sleep(100 + Math.random() * 150);
      }
    })();
  }

  async stop(): Promise<void> {
    this.#stopping = true;
    await this.#running;
  }

  get conflicts(): number {
    return [...this.moves.values()].reduce((sum, m) => sum + m.conflicts, 0);
  }

  get writes(): number {
    return [...this.moves.values()].reduce((sum, m) => sum + m.taken + m.conflicts, 0);
  }

  /** Adds a condition of its own to the group's status, as another controller would. */
  async addCondition(name: string): Promise<void> {
    const condition = { type: RIVAL_CONDITION, status: "True", reason: "Rival", message: "set by another controller", lastTransitionTime: new Date().toISOString().replace(/\.\d+Z$/, "Z") };
    const body = { apiVersion: "processgroup.dev/v1alpha1", kind: "ProcessGroup", metadata: { name, namespace: this.#namespace }, status: { conditions: [condition] } };
    await this.#custom.patchNamespacedCustomObjectStatus({ ...processGroupApi, namespace: this.#namespace, name, body, fieldManager: "chaos-conditions" }, serverSideApply);
  }

  async #attempt(move: RivalMove, name: string): Promise<void> {
    const count = this.moves.get(move);
    if (!count) return;
    try {
      if (!(await this.#make(move, name))) return;
      count.taken++;
      if (move === "label of its own") this.labelled.add(name);
    } catch (error) {
      const code = statusCodeOf(error);
      if (code === 409) count.conflicts++;
      // The group or its Deployment went away meanwhile (the driver deletes groups): no move made.
      else if (code !== 404) throw error;
    }
  }

  /** Makes one move; false when there was nothing to write to yet. */
  async #make(move: RivalMove, name: string): Promise<boolean> {
    const namespace = this.#namespace;
    const at = { name, namespace };
    const deployment = await this.#apps.readNamespacedDeployment(at);
    const replicas = (deployment.spec?.replicas ?? 1) + 1;
    const apply = (fieldManager: string, force: boolean, body: object) =>
      this.#apps.patchNamespacedDeployment({ ...at, body: { apiVersion: "apps/v1", kind: "Deployment", metadata: at, ...body }, fieldManager, force }, serverSideApply);
    switch (move) {
      case "forced apply of replicas":
        await apply("chaos-scaler", true, { spec: { replicas } });
        return true;
      case "polite apply of replicas":
        await apply("chaos-polite", false, { spec: { replicas } });
        return true;
      case "label of its own":
        await apply("chaos-labeller", false, { metadata: { ...at, labels: { [RIVAL_LABEL]: "true" } } });
        return true;
      case "update from a stale copy": {
        await this.#apps.patchNamespacedDeployment({ ...at, body: { metadata: { annotations: { "chaos.processgroup.dev/touched": String(this.#touches++) } } }, fieldManager: "chaos-toucher" }, mergePatch);
        await this.#apps.replaceNamespacedDeployment({ ...at, body: withThreads(deployment, "99"), fieldManager: "chaos-editor" });
        return true;
      }
      case "update of operator-owned env and labels": {
        const edited = withThreads(deployment, "99");
        edited.metadata = { ...edited.metadata, labels: { ...edited.metadata?.labels, "app.kubernetes.io/managed-by": "chaos-editor" } };
        await this.#apps.replaceNamespacedDeployment({ ...at, body: edited, fieldManager: "chaos-editor" });
        return true;
      }
      case "status overwritten": {
        const status = { observedGeneration: 0, processes: 99, readyProcesses: 0, threads: 99, conditions: [{ type: "Ready", status: "False", reason: "Rival", message: "overwritten", lastTransitionTime: "2020-01-01T00:00:00Z" }] };
        await this.#custom.patchNamespacedCustomObjectStatus({ ...processGroupApi, ...at, body: { status }, fieldManager: "chaos-status" }, mergePatch);
        return true;
      }
      case "status update from a stale copy": {
        const stale = (await this.#custom.getNamespacedCustomObject({ ...processGroupApi, ...at })) as { status?: Record<string, unknown> };
        await this.#custom.patchNamespacedCustomObjectStatus({ ...processGroupApi, ...at, body: { status: { readyProcesses: 0 } }, fieldManager: "chaos-status" }, mergePatch);
        await this.#custom.replaceNamespacedCustomObjectStatus({ ...processGroupApi, ...at, body: { ...stale, status: { ...stale.status, processes: 99 } }, fieldManager: "chaos-status" });
        return true;
      }
    }
  }
}

/** A copy of the Deployment whose runtime container says threads=`value`. */
function withThreads(deployment: V1Deployment, value: string): V1Deployment {
  const copy = structuredClone(deployment);
  for (const container of copy.spec?.template.spec?.containers ?? []) {
    if (container.name !== RUNTIME_CONTAINER) continue;
    container.env = (container.env ?? []).map((e) => (e.name === ENV.threads ? { ...e, value } : e));
  }
  return copy;
}
