import { describe, expect, test } from "vitest";
import { ClaimSlot } from "./claim-slot.ts";

/** The two sides of one slot: the main thread's and the worker's view of the same memory. */
function pair() {
  const main = new ClaimSlot();
  return { main, worker: new ClaimSlot(main.buffer) };
}

describe("ClaimSlot", () => {
  test("the worker's claim wins over a later revoke, and a revoke over a later claim", () => {
    const { main, worker } = pair();
    const first = main.offer();
    expect(worker.claim(first)).toBe(true);
    expect(main.revoke(first)).toBe(false);
    const second = main.offer();
    expect(main.revoke(second)).toBe(true);
    expect(worker.claim(second)).toBe(false);
  });

  test("a confirmed request is the worker's: revoking fails and the worker starts it", () => {
    const { main, worker } = pair();
    const token = main.offer();
    main.confirm(token);
    expect(main.revoke(token)).toBe(false);
    expect(worker.claim(token)).toBe(true);
  });

  test("offers only into a cell the worker has read: two may be out at once, not three", () => {
    const { main, worker } = pair();
    const a = main.offer();
    main.confirm(a);
    const b = main.offer();
    expect(main.revoke(b)).toBe(true);
    // Neither offer is read yet (a blocked worker): nothing more can be offered.
    expect(main.free).toBe(false);
    expect(() => main.offer()).toThrow(/has not read yet/);
    expect(worker.claim(a)).toBe(true);
    expect(main.free).toBe(true);
    const c = main.offer();
    expect(worker.claim(b)).toBe(false);
    expect(worker.claim(c)).toBe(true);
    expect(main.free).toBe(true);
  });

  test("a stale token never matches a newer offer in the same cell", () => {
    const { main, worker } = pair();
    const a = main.offer();
    expect(main.revoke(a)).toBe(true);
    expect(worker.claim(a)).toBe(false);
    main.offer();
    const c = main.offer();
    expect(c & 1).toBe(a & 1);
    expect(worker.claim(a)).toBe(false);
    expect(worker.claim(c)).toBe(true);
  });
});
