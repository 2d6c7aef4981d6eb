import type { MessagePort } from "node:worker_threads";
import { onceKeyProblem } from "../once/once-key.ts";
import type { OnceFromWorker, OnceToWorker } from "../once/once-protocol.ts";
import type { Once, OnceOptions } from "./app-env.ts";

interface Call {
  readonly key: string;
  readonly fn: () => unknown;
  readonly wait: boolean;
  resolve(ran: boolean): void;
  reject(error: unknown): void;
  /** The caller has its answer; the call may still run fn later, as a stand-by that takes over. */
  settled: boolean;
  /** The outcome of this caller's own run, until the coordinator has recorded it. */
  ran?: { readonly error: unknown; readonly failed: boolean };
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** env.once() inside a worker: the main thread decides who runs; fn runs here when this caller wins. */
export function onceClient(port: MessagePort): { readonly once: Once; receive(message: OnceToWorker): void } {
  let nextCall = 1;
  const calls = new Map<number, Call>();
  const post = (message: OnceFromWorker) => port.postMessage(message);

  const run = async (id: number, call: Call) => {
    let outcome: { error: unknown; failed: boolean };
    try {
      await call.fn();
      outcome = { error: undefined, failed: false };
    } catch (error) {
      outcome = { error, failed: true };
    }
    call.ran = outcome;
    post({ t: "once-finished", call: id, ...(outcome.failed ? { error: messageOf(outcome.error) } : {}) });
  };

  const once: Once = (key: string, fn: () => unknown, options?: OnceOptions) => {
    const problem = onceKeyProblem(key);
    if (problem !== undefined) return Promise.reject(new TypeError(problem));
    if (typeof fn !== "function") return Promise.reject(new TypeError(`once(${JSON.stringify(key)}, fn): fn must be a function, got ${typeof fn}`));
    const wait = options?.wait === true;
    const id = nextCall++;
    return new Promise<boolean>((resolve, reject) => {
      calls.set(id, { key, fn, wait, resolve, reject, settled: false });
      post({ t: "once", call: id, key, wait });
    });
  };

  const receive = (message: OnceToWorker) => {
    const call = calls.get(message.call);
    if (call === undefined) return;
    if (message.t === "once-recorded") {
      calls.delete(message.call);
      const ran = call.ran;
      if (call.settled) {
        // A stand-by's takeover: its caller was told false long ago, so the error has no one to go to but the log.
        if (ran?.failed) console.error(`once(${JSON.stringify(call.key)}): the run this thread took over failed:`, ran.error);
        return;
      }
      call.settled = true;
      if (ran?.failed) call.reject(ran.error);
      else call.resolve(true);
      return;
    }
    if (message.run) {
      void run(message.call, call);
      return;
    }
    if (message.done) calls.delete(message.call);
    if (call.settled) return;
    call.settled = true;
    if (call.wait && message.error !== undefined) call.reject(new Error(`once(${JSON.stringify(call.key)}): the run in another thread or process failed: ${message.error}`));
    else call.resolve(false);
  };

  return { once, receive };
}
