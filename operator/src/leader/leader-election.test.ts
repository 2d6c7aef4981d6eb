import { ApiException, type V1Lease } from "@kubernetes/client-node";
import { pino } from "pino";
import { describe, expect, test } from "vitest";
import { FakeClock } from "../testing/fake-clock.ts";
import { LeaderElector } from "./leader-election.ts";
import type { LeaseClient } from "./lease-client.ts";

/** One Lease with optimistic concurrency, like the API server's; `down` makes one candidate's calls fail. */
class MemoryLease {
  lease: V1Lease | undefined;
  version = 0;
  readonly down = new Set<string>();

  clientFor(identity: string): LeaseClient {
    const check = (): void => {
      if (this.down.has(identity)) throw new Error("connection refused");
    };
    return {
      read: async () => (check(), this.lease && structuredClone(this.lease)),
      create: async (lease) => {
        check();
        if (this.lease) throw new ApiException(409, "exists", "", {});
        return this.#store(lease);
      },
      replace: async (lease) => {
        check();
        if (lease.metadata?.resourceVersion !== this.lease?.metadata?.resourceVersion) throw new ApiException(409, "conflict", "", {});
        return this.#store(lease);
      },
    };
  }

  #store(lease: V1Lease): V1Lease {
    this.lease = { ...structuredClone(lease), metadata: { ...lease.metadata, resourceVersion: String(++this.version) } };
    return structuredClone(this.lease);
  }
}

const timings = { leaseDurationMs: 15_000, renewDeadlineMs: 10_000, retryPeriodMs: 2_000 };

function candidate(identity: string, store: MemoryLease, clock: FakeClock) {
  const log: string[] = [];
  const elector = new LeaderElector({
    leases: store.clientFor(identity),
    namespace: "ns",
    name: "lease",
    identity,
    timings,
    clock,
    log: pino({ level: "silent" }),
    onStartedLeading: async () => void log.push("start"),
    onStoppedLeading: async () => void log.push("stop"),
  });
  return { elector, log };
}

/** Two candidates on one lease; a campaigns first, so it leads. */
async function twoCandidates() {
  const clock = new FakeClock();
  const store = new MemoryLease();
  const a = candidate("a", store, clock);
  const b = candidate("b", store, clock);
  void a.elector.run();
  await clock.advance(0);
  void b.elector.run();
  return { clock, store, a, b };
}

describe("leader election", () => {
  test("one candidate leads; the other waits; a stop releases the lease and the other takes over at its next try", async () => {
    const { clock, store, a, b } = await twoCandidates();
    await clock.advance(60_000);
    expect(a.elector.leading).toBe(true);
    expect(b.elector.leading).toBe(false);
    expect(store.lease?.spec?.holderIdentity).toBe("a");

    const stopped = a.elector.stop();
    await clock.advance(0);
    await stopped;
    expect(a.log).toEqual(["start", "stop"]);
    expect(store.lease?.spec?.holderIdentity).toBe("");

    await clock.advance(timings.retryPeriodMs * 1.2);
    expect(b.elector.leading).toBe(true);
    expect(b.log).toEqual(["start"]);
    expect(store.lease?.spec).toMatchObject({ holderIdentity: "b", leaseTransitions: 1 });
  });

  test("a leader that cannot renew steps down after the renew deadline; the other takes over once the lease expires", async () => {
    const { clock, store, a, b } = await twoCandidates();
    await clock.advance(5_000);
    expect(a.elector.leading).toBe(true);

    store.down.add("a");
    await clock.advance(timings.renewDeadlineMs + timings.retryPeriodMs);
    expect(a.elector.leading).toBe(false);
    expect(a.log).toEqual(["start", "stop"]);
    await clock.advance(timings.leaseDurationMs);
    expect(b.elector.leading).toBe(true);

    // When its API server comes back, the old leader stands by: the lease is taken.
    store.down.delete("a");
    await clock.advance(30_000);
    expect(a.elector.leading).toBe(false);
    expect(store.lease?.spec?.holderIdentity).toBe("b");
  });

  test("a candidate never takes a lease that is renewed, however old its renewTime looks", async () => {
    const clock = new FakeClock();
    const store = new MemoryLease();
    const a = candidate("a", store, clock);
    void a.elector.run();
    await clock.advance(0);
    // b's clock is a day ahead: comparing renewTime with it would say the lease expired long ago.
    const skewed = new FakeClock(clock.now() + 86_400_000);
    const b = candidate("b", store, skewed);
    void b.elector.run();
    for (let i = 0; i < 30; i++) {
      await clock.advance(1_000);
      await skewed.advance(1_000);
    }
    expect(a.elector.leading).toBe(true);
    expect(b.elector.leading).toBe(false);
  });
});
