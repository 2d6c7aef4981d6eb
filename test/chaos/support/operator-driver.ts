import { CustomObjectsApi, PatchStrategy, setHeaderOptions, type KubeConfig } from "@kubernetes/client-node";
import { setTimeout as sleep } from "node:timers/promises";
import { z } from "zod";
import type { ProcessGroupSpecInput } from "../../../crds/index.ts";
import { statusCodeOf } from "../../../operator/src/kube/api-errors.ts";
import { specOf } from "../../integration/operator-support/process-groups.ts";
import { processGroupApi } from "../../support/process-group-crd.ts";

// A user who never stops: creates, changes, scales and deletes ProcessGroups (a bounded number
// live at once) while the scenario injects its faults, and remembers what it last asked of each.

/** What the driver last asked of a group; `deleted` once it deleted it. */
export interface Desired {
  readonly processes: number | undefined;
  readonly threads: number;
  /** Goes into the env (CHAOS_REVISION), so every change of a group changes its pod template. */
  readonly revision: number;
  readonly deleted: boolean;
}

export type ChangeKind = "create" | "threads" | "processes" | "scale" | "delete";
export interface Change {
  readonly name: string;
  readonly kind: ChangeKind;
  /** metadata.generation once the change was made (a delete has none). */
  readonly generation: number | undefined;
}

export const REVISION_ENV = "CHAOS_REVISION";
const mergePatch = setHeaderOptions("Content-Type", PatchStrategy.MergePatch);
const Written = z.object({ metadata: z.object({ generation: z.number().optional() }) });

/** A small seeded generator (mulberry32), so a run's sequence of changes can be replayed. */
function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function specFor(desired: Desired): ProcessGroupSpecInput {
  return specOf({ ...(desired.processes !== undefined ? { processes: desired.processes } : {}), threads: desired.threads, env: [{ name: REVISION_ENV, value: String(desired.revision) }] });
}

export class ChangeDriver {
  readonly changes: Change[] = [];
  readonly desired = new Map<string, Desired>();
  /** Calls that failed and were sent again (the API server was away, say). */
  retries = 0;
  readonly #api: CustomObjectsApi;
  readonly #namespace: string;
  readonly #maxGroups: number;
  readonly #random: () => number;
  #created = 0;
  #stopping = false;
  #running: Promise<void> | undefined;

  constructor(kc: KubeConfig, namespace: string, options: { maxGroups: number; seed: number }) {
    this.#api = kc.makeApiClient(CustomObjectsApi);
    this.#namespace = namespace;
    this.#maxGroups = options.maxGroups;
    this.#random = seededRandom(options.seed);
  }

  get live(): string[] {
    return [...this.desired].filter(([, d]) => !d.deleted).map(([name]) => name);
  }

  /** Makes changes, one every 150-400 ms, until stop(). */
  start(): void {
    this.#running ??= (async () => {
      while (!this.#stopping) {
        await this.#change();
        await sleep(150 + this.#random() * 250);
      }
    })();
  }

  async stop(): Promise<void> {
    this.#stopping = true;
    await this.#running;
  }

  #pick<T>(items: readonly T[]): T {
    const item = items[Math.floor(this.#random() * items.length)];
    if (item === undefined) throw new Error("nothing to pick from");
    return item;
  }

  async #change(): Promise<void> {
    const live = this.live;
    const roll = this.#random();
    if (live.length === 0 || (live.length < this.#maxGroups && roll < 0.25)) return this.#create();
    const name = this.#pick(live);
    const before = this.desired.get(name);
    if (!before) return;
    if (live.length > 1 && roll > 0.92) return this.#delete(name, before);
    const kind = this.#pick<ChangeKind>(["threads", "processes", "scale"]);
    const revision = before.revision + 1;
    if (kind === "threads") {
      const next = { ...before, threads: 1 + Math.floor(this.#random() * 8), revision };
      return this.#record(name, kind, next, () => this.#patch(name, { threads: next.threads, env: specFor(next).env }));
    }
    if (kind === "processes") {
      // Omitting processes is a change too: multiprocess turns false.
      const processes = this.#random() < 0.3 ? undefined : 1 + Math.floor(this.#random() * 3);
      const next = { ...before, processes, revision };
      return this.#record(name, kind, next, () => this.#patch(name, { processes: processes ?? null, env: specFor(next).env }));
    }
    const replicas = 1 + Math.floor(this.#random() * 3);
    return this.#record(name, kind, { ...before, processes: replicas }, async () => {
      await this.#api.patchNamespacedCustomObjectScale({ ...processGroupApi, namespace: this.#namespace, name, body: { spec: { replicas } } }, mergePatch);
      return this.#api.getNamespacedCustomObject({ ...processGroupApi, namespace: this.#namespace, name });
    });
  }

  #create(): Promise<void> {
    const name = `group-${this.#created++}`;
    const desired: Desired = { processes: this.#random() < 0.3 ? undefined : 1 + Math.floor(this.#random() * 3), threads: 1 + Math.floor(this.#random() * 8), revision: 1, deleted: false };
    const body = { apiVersion: "processgroup.dev/v1alpha1", kind: "ProcessGroup", metadata: { name }, spec: specFor(desired) };
    return this.#record(name, "create", desired, () => this.#api.createNamespacedCustomObject({ ...processGroupApi, namespace: this.#namespace, body }), 409);
  }

  #delete(name: string, before: Desired): Promise<void> {
    return this.#record(name, "delete", { ...before, deleted: true }, () => this.#api.deleteNamespacedCustomObject({ ...processGroupApi, namespace: this.#namespace, name }), 404);
  }

  #patch(name: string, spec: Record<string, unknown>): Promise<unknown> {
    return this.#api.patchNamespacedCustomObject({ ...processGroupApi, namespace: this.#namespace, name, body: { spec } }, mergePatch);
  }

  /**
   * Sends the change until the API server takes it (`done` is the code that says an earlier,
   * unanswered attempt already did it), then records it as made.
   */
  async #record(name: string, kind: ChangeKind, next: Desired, send: () => Promise<unknown>, done?: number): Promise<void> {
    for (;;) {
      try {
        const written = Written.safeParse(await send());
        this.desired.set(name, next);
        this.changes.push({ name, kind, generation: written.success ? written.data.metadata.generation : undefined });
        return;
      } catch (error) {
        if (done !== undefined && statusCodeOf(error) === done) {
          this.desired.set(name, next);
          this.changes.push({ name, kind, generation: undefined });
          return;
        }
        this.retries++;
        await sleep(200);
      }
    }
  }
}
