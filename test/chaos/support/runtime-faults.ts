/** What app code can do to its worker thread (test/chaos/fixtures/runtime-faulty.mjs). */
export type ThreadFault = "throw" | "exit" | "oom" | "loop";

/** The answer the runtime owes each fault's request (docs/contract.md, "What the runtime answers itself"). */
export const FAULT_STATUS: Readonly<Record<ThreadFault, number>> = {
  throw: 502, // the thread died of an error thrown outside any request
  exit: 502, // the thread called process.exit
  oom: 503, // the thread ran out of its memory limit
  loop: 504, // the request ran past the request timeout
};

/** A repeatable random sequence of faults (mulberry32), so a failing run can be replayed with its seed. */
export function faultPicker(seed: number): () => ThreadFault {
  const kinds = Object.keys(FAULT_STATUS) as ThreadFault[];
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    const random = ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    return kinds[Math.floor(random * kinds.length)]!;
  };
}
