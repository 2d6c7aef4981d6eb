import { describe, expect, it } from "vitest";
import { placeConnection, SPARE_BELOW, type ThreadView } from "./place-connection.ts";

type Named = ThreadView & { readonly name: string };
const t = (name: string, inflight: number, connections: number, busy = 0): Named => ({ name, inflight, connections, busy });
const BUSY = SPARE_BELOW + 0.1;

describe("placeConnection", () => {
  const cases: { readonly title: string; readonly threads: Named[]; readonly concurrency: number; readonly expected: string | undefined }[] = [
    { title: "no threads: the connection waits", threads: [], concurrency: 1, expected: undefined },
    { title: "every thread at its concurrency: the connection waits", threads: [t("a", 1, 1), t("b", 1, 3)], concurrency: 1, expected: undefined },
    { title: "the only thread with room, though others have fewer connections", threads: [t("a", 1, 0), t("b", 0, 9)], concurrency: 1, expected: "b" },
    { title: "threads with time to spare: the one with the most connections", threads: [t("a", 0, 3), t("b", 0, 5), t("c", 0, 2)], concurrency: 1, expected: "b" },
    { title: "a busy thread is passed over for one with time to spare, though it has more connections", threads: [t("a", 0, 9, BUSY), t("b", 0, 1)], concurrency: 1, expected: "b" },
    { title: "every thread with room busy: the least busy", threads: [t("a", 0, 1, 0.95), t("b", 0, 7, 0.8), t("c", 1, 0, 0)], concurrency: 1, expected: "b" },
    { title: "a tie: the first", threads: [t("a", 0, 2), t("b", 0, 2)], concurrency: 1, expected: "a" },
    { title: "concurrency above 1: a thread running some still has room", threads: [t("a", 3, 1), t("b", 4, 9)], concurrency: 4, expected: "a" },
  ];
  for (const { title, threads, concurrency, expected } of cases) {
    it(title, () => {
      expect(placeConnection(threads, concurrency)?.name).toBe(expected);
    });
  }
});
