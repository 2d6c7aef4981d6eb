import { describe, expect, it } from "vitest";
import { placeConnection, type ThreadView } from "./place-connection.ts";

const t = (name: string, inflight: number, connections: number) => ({ name, inflight, connections });

describe("placeConnection", () => {
  const cases: { readonly title: string; readonly threads: (ThreadView & { name: string })[]; readonly concurrency: number; readonly expected: string | undefined }[] = [
    { title: "no threads: the connection waits", threads: [], concurrency: 1, expected: undefined },
    { title: "every thread at its concurrency: the connection waits", threads: [t("a", 1, 1), t("b", 1, 3)], concurrency: 1, expected: undefined },
    { title: "the only thread with room, though it has more connections", threads: [t("a", 1, 1), t("b", 0, 9)], concurrency: 1, expected: "b" },
    { title: "fewest connections among those with room", threads: [t("a", 0, 3), t("b", 0, 2), t("c", 0, 5)], concurrency: 1, expected: "b" },
    { title: "equal connections: the less busy", threads: [t("a", 3, 2), t("b", 1, 2)], concurrency: 4, expected: "b" },
    { title: "a tie: the first", threads: [t("a", 0, 2), t("b", 0, 2)], concurrency: 1, expected: "a" },
    { title: "concurrency above 1: a busy thread still has room", threads: [t("a", 3, 1), t("b", 4, 0)], concurrency: 4, expected: "a" },
  ];
  for (const { title, threads, concurrency, expected } of cases) {
    it(title, () => {
      expect(placeConnection(threads, concurrency)?.name).toBe(expected);
    });
  }
});
