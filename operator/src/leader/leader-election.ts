import type { V1Lease } from "@kubernetes/client-node";
import type { Logger } from "pino";
import { sleep, type Clock } from "../clock.ts";
import type { LeaseClient } from "./lease-client.ts";
import { microTime } from "./lease-client.ts";

export interface LeaderElectionTimings {
  /** How long a lease holds after its last renewal, as other candidates see it. */
  readonly leaseDurationMs: number;
  /** The leader gives up leading when it could not renew for this long. */
  readonly renewDeadlineMs: number;
  /** Pause between attempts to acquire or renew. */
  readonly retryPeriodMs: number;
}

export const DEFAULT_TIMINGS: LeaderElectionTimings = { leaseDurationMs: 15_000, renewDeadlineMs: 10_000, retryPeriodMs: 2_000 };

export interface LeaderElectionOptions {
  readonly leases: LeaseClient;
  readonly namespace: string;
  readonly name: string;
  readonly identity: string;
  readonly timings: LeaderElectionTimings;
  readonly clock: Clock;
  readonly log: Logger;
  /** Called on becoming leader; not awaited before renewing starts. */
  readonly onStartedLeading: () => Promise<void>;
  /** Called on losing or giving up the lease; awaited before the lease is released. */
  readonly onStoppedLeading: () => Promise<void>;
  readonly onLeaderChange?: (leading: boolean) => void;
}

/**
 * client-go's Lease-based leader election. A candidate takes the lease when it is free or
 * has not been renewed for leaseDuration as measured on the candidate's own clock (from
 * when it last saw the lease change), so clocks of different machines never need to agree.
 * Updates carry the resourceVersion read, so two candidates never both win.
 */
export class LeaderElector {
  readonly #o: LeaderElectionOptions;
  readonly #abort = new AbortController();
  #observed: { record: string; at: number } | undefined;
  #leading = false;
  #running: Promise<void> | undefined;

  constructor(options: LeaderElectionOptions) {
    this.#o = options;
  }

  get leading(): boolean {
    return this.#leading;
  }

  /** Campaigns, leads, and campaigns again after losing the lease, until stop(). */
  run(): Promise<void> {
    this.#running ??= this.#loop();
    return this.#running;
  }

  /** Stops leading (awaiting onStoppedLeading) and releases the lease so another replica takes over at once. */
  async stop(): Promise<void> {
    this.#abort.abort();
    await this.#running;
  }

  get #stopping(): boolean {
    return this.#abort.signal.aborted;
  }

  async #loop(): Promise<void> {
    const { clock, timings, log } = this.#o;
    while (!this.#stopping) {
      while (!this.#stopping && !(await this.#tryAcquireOrRenew())) {
        await sleep(clock, timings.retryPeriodMs * (1 + Math.random() * 0.2), this.#abort.signal);
      }
      if (this.#stopping) break;
      this.#setLeading(true);
      log.info({ lease: `${this.#o.namespace}/${this.#o.name}`, identity: this.#o.identity }, "became leader");
      this.#o.onStartedLeading().catch((error: unknown) => log.error({ err: String(error) }, "starting to lead failed"));

      let renewedAt = clock.now();
      while (!this.#stopping) {
        await sleep(clock, timings.retryPeriodMs, this.#abort.signal);
        if (this.#stopping) break;
        if (await this.#tryAcquireOrRenew()) renewedAt = clock.now();
        else if (clock.now() - renewedAt >= timings.renewDeadlineMs) {
          log.warn({ lease: `${this.#o.namespace}/${this.#o.name}` }, "could not renew the lease in time; no longer leader");
          break;
        }
      }
      this.#setLeading(false);
      await this.#o.onStoppedLeading();
    }
    await this.#release();
  }

  #setLeading(leading: boolean): void {
    this.#leading = leading;
    this.#o.onLeaderChange?.(leading);
  }

  async #tryAcquireOrRenew(): Promise<boolean> {
    const { leases, clock, identity, timings } = this.#o;
    const now = clock.now();
    const leaseDurationSeconds = Math.max(1, Math.round(timings.leaseDurationMs / 1000));
    try {
      const lease = await leases.read();
      if (!lease) {
        await leases.create({
          metadata: { name: this.#o.name, namespace: this.#o.namespace },
          spec: { holderIdentity: identity, leaseDurationSeconds, acquireTime: microTime(now), renewTime: microTime(now), leaseTransitions: 0 },
        });
        return true;
      }
      const spec = lease.spec ?? {};
      const holder = spec.holderIdentity ?? "";
      const record = JSON.stringify([holder, String(spec.renewTime ?? ""), lease.metadata?.resourceVersion]);
      if (this.#observed?.record !== record) this.#observed = { record, at: now };
      const durationMs = (spec.leaseDurationSeconds ?? leaseDurationSeconds) * 1000;
      const ours = holder === identity;
      if (!ours && holder !== "" && this.#observed.at + durationMs > now) return false;
      const next: V1Lease = {
        ...lease,
        spec: {
          ...spec,
          holderIdentity: identity,
          leaseDurationSeconds,
          acquireTime: ours && spec.acquireTime ? spec.acquireTime : microTime(now),
          renewTime: microTime(now),
          leaseTransitions: (spec.leaseTransitions ?? 0) + (ours ? 0 : 1),
        },
      };
      const updated = await leases.replace(next);
      this.#observed = { record: JSON.stringify([identity, String(updated.spec?.renewTime ?? ""), updated.metadata?.resourceVersion]), at: now };
      return true;
    } catch (error) {
      // A conflict means another candidate wrote first; anything else, the API server is away. Either way: not now.
      this.#o.log.debug({ err: error instanceof Error ? error.message : String(error) }, "lease not acquired or renewed");
      return false;
    }
  }

  /** Hands the lease back (holder "", 1 s duration), but only if it is still ours. */
  async #release(): Promise<void> {
    const { leases, clock, identity, log } = this.#o;
    try {
      const lease = await leases.read();
      if (!lease || lease.spec?.holderIdentity !== identity) return;
      const now = microTime(clock.now());
      await leases.replace({ ...lease, spec: { ...lease.spec, holderIdentity: "", leaseDurationSeconds: 1, acquireTime: now, renewTime: now } });
      log.info({ lease: `${this.#o.namespace}/${this.#o.name}` }, "released the lease");
    } catch (error) {
      log.warn({ err: error instanceof Error ? error.message : String(error) }, "could not release the lease; it expires on its own");
    }
  }
}
