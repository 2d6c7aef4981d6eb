import { describe, expect, it } from "vitest";
import { flags } from "./flags.ts";

// The flag rule's table in docs/architecture.md, from mod_wsgi's "Processes And Threading": every row must hold.
const vectors = [
  { spec: { threads: 25 }, processes: 1, threads: 25, multiprocess: false, multithread: true, emulates: "winnt MPM" },
  { spec: { processes: 1, threads: 25 }, processes: 1, threads: 25, multiprocess: true, multithread: true, emulates: "explicit single process" },
  { spec: { processes: 2, threads: 25 }, processes: 2, threads: 25, multiprocess: true, multithread: true, emulates: "worker MPM" },
  { spec: { processes: 5, threads: 1 }, processes: 5, threads: 1, multiprocess: true, multithread: false, emulates: "prefork MPM" },
  { spec: { processes: 1, threads: 1 }, processes: 1, threads: 1, multiprocess: true, multithread: false, emulates: "one process, one thread, explicit" },
  { spec: { threads: 1 }, processes: 1, threads: 1, multiprocess: false, multithread: false, emulates: "serialised single process" },
  { spec: {}, processes: 1, threads: 15, multiprocess: false, multithread: true, emulates: "defaults" },
  { spec: { elastic: { maxProcesses: 4 } }, processes: 1, threads: 15, multiprocess: true, multithread: true, emulates: "elastic, minimum omitted (Apache's spare-worker MPMs)" },
  { spec: { processes: 2, threads: 1, elastic: { maxProcesses: 8 } }, processes: 2, threads: 1, multiprocess: true, multithread: false, emulates: "elastic prefork, minimum 2" },
];

describe("flags (mod_wsgi's rule)", () => {
  it.each(vectors)("$emulates: $spec", ({ spec, emulates: _, ...expected }) => {
    expect(flags(spec)).toEqual(expected);
  });
});
