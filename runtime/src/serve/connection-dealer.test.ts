import { describe, expect, it } from "vitest";
import { ConnectionDealer } from "./connection-dealer.ts";

type Sent = { readonly taker: string; readonly id: number; readonly handle: string };

/** A dealer over named processes and named connections, recording what it sends and closes. */
function dealer(holdCapacity = 4, refuses: ReadonlySet<string> = new Set()) {
  const sent: Sent[] = [];
  const closed: string[] = [];
  const d = new ConnectionDealer<string, string>({
    send: (taker, id, handle) => {
      if (refuses.has(taker)) return false;
      sent.push({ taker, id, handle });
      return true;
    },
    close: (handle) => closed.push(handle),
    holdCapacity,
  });
  return { d, sent, closed };
}

describe("ConnectionDealer", () => {
  it("deals in turn over the processes that take connections", () => {
    const { d, sent } = dealer();
    d.join("p0");
    d.join("p1");
    for (const c of ["c1", "c2", "c3", "c4", "c5"]) d.deal(c);
    expect(sent.map((s) => s.taker)).toEqual(["p0", "p1", "p0", "p1", "p0"]);
  });

  it("keeps its copy until the process adopted it, then closes it", () => {
    const { d, sent, closed } = dealer();
    d.join("p0");
    d.deal("c1");
    expect(closed).toEqual([]);
    expect(d.pending).toBe(1);
    d.adopted(sent[0]!.id);
    expect(closed).toEqual(["c1"]);
    expect(d.pending).toBe(0);
    d.adopted(sent[0]!.id);
    expect(closed).toEqual(["c1"]);
  });

  it("deals what a dead process had not adopted to the others", () => {
    const { d, sent } = dealer();
    d.join("p0");
    d.join("p1");
    d.deal("c1");
    d.deal("c2");
    d.adopted(sent[0]!.id);
    d.gone("p1");
    expect(sent.map((s) => `${s.handle}>${s.taker}`)).toEqual(["c1>p0", "c2>p1", "c2>p0"]);
  });

  it("deals nothing to a draining process, which still adopts what is on its way", () => {
    const { d, sent, closed } = dealer();
    d.join("p0");
    d.join("p1");
    d.deal("c1");
    d.deal("c2");
    d.leave("p1");
    d.deal("c3");
    d.adopted(sent[1]!.id);
    expect(sent.map((s) => `${s.handle}>${s.taker}`)).toEqual(["c1>p0", "c2>p1", "c3>p0"]);
    expect(closed).toEqual(["c2"]);
  });

  it("holds connections while no process takes any, up to its capacity, and deals them to the first that joins", () => {
    const { d, sent, closed } = dealer(2);
    d.deal("c1");
    d.deal("c2");
    d.deal("c3");
    expect(closed).toEqual(["c3"]);
    expect(d.pending).toBe(2);
    d.join("p0");
    expect(sent.map((s) => `${s.handle}>${s.taker}`)).toEqual(["c1>p0", "c2>p0"]);
  });

  it("passes over a process whose channel has closed and takes it out of the turn", () => {
    const { d, sent } = dealer(4, new Set(["p1"]));
    d.join("p0");
    d.join("p1");
    d.deal("c1");
    d.deal("c2");
    d.deal("c3");
    expect(sent.map((s) => `${s.handle}>${s.taker}`)).toEqual(["c1>p0", "c2>p0", "c3>p0"]);
  });

  it("closes what it holds and what is on its way when the group stops", () => {
    const { d, closed } = dealer();
    d.deal("c1");
    d.join("p0");
    d.leave("p0");
    d.deal("c2");
    d.closeAll();
    expect(closed.sort()).toEqual(["c1", "c2"]);
    expect(d.pending).toBe(0);
  });
});
