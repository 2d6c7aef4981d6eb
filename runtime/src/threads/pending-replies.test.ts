import { describe, expect, it } from "vitest";
import { PendingReplies } from "./pending-replies.ts";

describe("PendingReplies", () => {
  it("numbers each question and delivers each answer to its own asker, out of order too", async () => {
    const replies = new PendingReplies();
    const sent: number[] = [];
    const first = replies.ask((id) => sent.push(id));
    const second = replies.ask((id) => sent.push(id));
    expect(sent).toEqual([1, 2]);
    replies.settle(2, true, "two");
    replies.settle(1, false, "no such key");
    await expect(second).resolves.toBe("two");
    await expect(first).rejects.toThrow("no such key");
  });

  it("ignores an answer nobody waits for (a repeated or unknown number)", async () => {
    const replies = new PendingReplies();
    const answer = replies.ask(() => {});
    replies.settle(1, true, "once");
    expect(() => replies.settle(1, true, "twice")).not.toThrow();
    expect(() => replies.settle(7, false, "stray")).not.toThrow();
    await expect(answer).resolves.toBe("once");
  });
});
