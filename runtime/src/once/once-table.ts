import { claimed, decideClaim, finished, released, renewed, type ClaimDecision, type OnceRecord } from "./once-decision.ts";
import type { OnceBackend } from "./once-backend.ts";

/**
 * The records of every key in memory, applied one call at a time: the coordinator of a
 * process on its own, and of a `serve` supervisor for its processes.
 */
export class OnceTable implements OnceBackend {
  readonly takeoverMs: number;
  readonly #records = new Map<string, OnceRecord>();
  readonly #now: () => number;

  constructor(takeoverMs: number, now: () => number = Date.now) {
    this.takeoverMs = takeoverMs;
    this.#now = now;
  }

  async claim(key: string, holder: string): Promise<ClaimDecision> {
    return this.claimNow(key, holder);
  }

  claimNow(key: string, holder: string): ClaimDecision {
    const now = this.#now();
    const decision = decideClaim(this.#records.get(key), now, this.takeoverMs);
    if (decision.kind === "run") this.#records.set(key, claimed(holder, now));
    return decision;
  }

  async renew(key: string, holder: string): Promise<boolean> {
    return this.renewNow(key, holder);
  }

  renewNow(key: string, holder: string): boolean {
    const next = renewed(this.#records.get(key), holder, this.#now());
    if (next) this.#records.set(key, next);
    return next !== undefined;
  }

  async finish(key: string, holder: string, error: string | undefined): Promise<void> {
    this.finishNow(key, holder, error);
  }

  finishNow(key: string, holder: string, error: string | undefined): void {
    this.#records.set(key, finished(this.#records.get(key), holder, this.#now(), error));
  }

  async release(key: string, holder: string): Promise<void> {
    this.releaseNow(key, holder);
  }

  releaseNow(key: string, holder: string): void {
    const next = released(this.#records.get(key), holder);
    if (next) this.#records.set(key, next);
  }

  /** Lets go of every run whose holder matches (a process that died: its holders end in its pid). */
  releaseWhere(matches: (holder: string) => boolean): string[] {
    const keys: string[] = [];
    for (const [key, record] of this.#records) {
      if (record.holder !== undefined && !record.done && matches(record.holder)) {
        this.#records.set(key, { holder: undefined, renewedAt: record.renewedAt });
        keys.push(key);
      }
    }
    return keys;
  }
}
