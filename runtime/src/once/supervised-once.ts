import type { OnceCall, ToChild } from "../serve/ipc.ts";
import { PendingReplies } from "../threads/pending-replies.ts";
import type { OnceBackend } from "./once-backend.ts";
import type { ClaimDecision } from "./once-decision.ts";
import type { OnceTable } from "./once-table.ts";

type Answer = Extract<ToChild, { t: "once-answer" }>;
type Call = OnceCall extends infer C ? (C extends OnceCall ? Omit<C, "t" | "q"> : never) : never;

/** The process of a holder: holders are `identity/pid/n`. */
export function pidOfHolder(holder: string): number | undefined {
  const parts = holder.split("/");
  const pid = Number(parts.at(-2));
  return Number.isInteger(pid) ? pid : undefined;
}

/** A `serve` process's once backend: each call is a question to the supervisor over IPC. */
export function supervisedOnce(send: (message: OnceCall) => void, takeoverMs: number): { backend: OnceBackend; answer(message: Answer): void } {
  const replies = new PendingReplies();
  const ask = (call: Call) => replies.ask((q) => send({ t: "once", q, ...call } as OnceCall));
  return {
    backend: {
      takeoverMs,
      claim: async (key, holder) => (await ask({ op: "claim", key, holder })) as ClaimDecision,
      renew: async (key, holder) => (await ask({ op: "renew", key, holder })) as boolean,
      finish: async (key, holder, error) => void (await ask({ op: "finish", key, holder, error })),
      release: async (key, holder) => void (await ask({ op: "release", key, holder })),
    },
    answer: (message) => replies.settle(message.q, message.ok, message.value),
  };
}

/** The supervisor's side: applies a process's once call to its table. */
export function answerOnce(table: OnceTable, call: OnceCall): Answer {
  try {
    switch (call.op) {
      case "claim":
        return { t: "once-answer", q: call.q, ok: true, value: table.claimNow(call.key, call.holder) };
      case "renew":
        return { t: "once-answer", q: call.q, ok: true, value: table.renewNow(call.key, call.holder) };
      case "finish":
        table.finishNow(call.key, call.holder, call.error);
        return { t: "once-answer", q: call.q, ok: true, value: null };
      case "release":
        table.releaseNow(call.key, call.holder);
        return { t: "once-answer", q: call.q, ok: true, value: null };
    }
  } catch (error) {
    return { t: "once-answer", q: call.q, ok: false, value: (error as Error).message };
  }
}
