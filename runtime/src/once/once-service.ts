import type { Logger } from "pino";
import type { OnceBackend } from "./once-backend.ts";
import { renewIntervalMs, retryDelayMs, type ClaimDecision } from "./once-decision.ts";
import type { OnceFromWorker, OnceToWorker } from "./once-protocol.ts";

/** A worker thread as the service sees it: where answers go, and when it is gone. */
export interface OnceThread {
  readonly threadId: number;
  send(message: OnceToWorker): void;
  /** Called once when the thread exits (crash, recycle, stop). */
  onExit(listener: () => void): void;
}

interface Caller {
  readonly thread: OnceThread;
  readonly call: number;
  readonly wait: boolean;
  /** Told its first answer (non-waiters are told false at once and stand by). */
  answered: boolean;
}

interface KeyState {
  /** This process's callers that may still run fn: waiters and those standing by. */
  callers: Caller[];
  running: { readonly caller: Caller; readonly holder: string; readonly timer: NodeJS.Timeout } | undefined;
  claiming: boolean;
  retry: NodeJS.Timeout | undefined;
  done: { readonly error?: string | undefined } | undefined;
}

/**
 * env.once() in a process's main thread. The process takes part once per key whatever its
 * number of threads: one claim at a time goes to the coordinator (the backend); the winner's
 * thread runs fn while this renews for it; a thread that dies mid-run gives the run back,
 * and a caller still standing by (in this process or another) takes it over.
 */
export class OnceService {
  readonly #backend: OnceBackend;
  readonly #identity: string;
  readonly #log: Logger;
  readonly #keys = new Map<string, KeyState>();
  readonly #watched = new WeakSet<OnceThread>();
  #nextHolder = 1;
  #closed = false;

  constructor(backend: OnceBackend, identity: string, log: Logger) {
    this.#backend = backend;
    this.#identity = identity;
    this.#log = log;
  }

  receive(thread: OnceThread, message: OnceFromWorker): void {
    if (!this.#watched.has(thread)) {
      this.#watched.add(thread);
      thread.onExit(() => this.#threadGone(thread));
    }
    if (message.t === "once") this.#claimed(thread, message.call, message.key, message.wait);
    else void this.#finished(thread, message.call, message.error);
  }

  #state(key: string): KeyState {
    let state = this.#keys.get(key);
    if (!state) {
      state = { callers: [], running: undefined, claiming: false, retry: undefined, done: undefined };
      this.#keys.set(key, state);
    }
    return state;
  }

  #claimed(thread: OnceThread, call: number, key: string, wait: boolean): void {
    const state = this.#state(key);
    if (state.done) return thread.send({ t: "once-result", call, run: false, done: true, error: state.done.error });
    const caller: Caller = { thread, call, wait, answered: false };
    state.callers.push(caller);
    if (state.running || state.claiming || state.retry) {
      if (!wait) this.#answerFalse(caller);
      return;
    }
    void this.#claim(key, state);
  }

  #answerFalse(caller: Caller): void {
    caller.answered = true;
    caller.thread.send({ t: "once-result", call: caller.call, run: false, done: false });
  }

  async #claim(key: string, state: KeyState): Promise<void> {
    if (this.#closed || state.callers.length === 0) return;
    state.claiming = true;
    const holder = `${this.#identity}/${process.pid}/${this.#nextHolder++}`;
    let decision: ClaimDecision;
    try {
      decision = await this.#backend.claim(key, holder);
    } catch (error) {
      this.#log.warn({ key, err: String(error) }, "once: cannot reach the coordinator; asking again");
      decision = { kind: "held", holder: "(unknown)", retryAt: Date.now() + this.#backend.takeoverMs };
    } finally {
      state.claiming = false;
    }
    if (decision.kind === "done") return this.#allDone(key, state, decision.error);
    if (decision.kind === "held") {
      for (const caller of state.callers) if (!caller.wait && !caller.answered) this.#answerFalse(caller);
      if (state.callers.length > 0 && !this.#closed) {
        state.retry = setTimeout(() => {
          state.retry = undefined;
          void this.#claim(key, state);
        }, retryDelayMs(decision, Date.now(), this.#backend.takeoverMs));
        state.retry.unref();
      }
      return;
    }
    // A waiter first: its caller is still waiting for the answer.
    const runner = state.callers.find((c) => c.wait && !c.answered) ?? state.callers.find((c) => !c.answered) ?? state.callers[0];
    if (runner === undefined || this.#closed) {
      await this.#backend.release(key, holder).catch(() => undefined);
      return;
    }
    if (decision.takeover) this.#log.warn({ key, holder }, "once: the previous runner stopped; this process takes the run over");
    else this.#log.info({ key, holder }, "once: this process runs it");
    const timer = setInterval(() => void this.#renew(key, holder), renewIntervalMs(this.#backend.takeoverMs));
    timer.unref();
    state.running = { caller: runner, holder, timer };
    runner.answered = true;
    runner.thread.send({ t: "once-result", call: runner.call, run: true, done: false });
    for (const caller of state.callers) if (!caller.wait && !caller.answered) this.#answerFalse(caller);
  }

  async #renew(key: string, holder: string): Promise<void> {
    try {
      if (!(await this.#backend.renew(key, holder))) this.#log.warn({ key, holder }, "once: the run was taken over while it still ran here (it ran past the takeover time without renewing)");
    } catch (error) {
      this.#log.warn({ key, holder, err: String(error) }, "once: cannot renew the run");
    }
  }

  async #finished(thread: OnceThread, call: number, error: string | undefined): Promise<void> {
    for (const [key, state] of this.#keys) {
      const running = state.running;
      if (!running || running.caller.thread !== thread || running.caller.call !== call) continue;
      clearInterval(running.timer);
      state.running = undefined;
      state.callers = state.callers.filter((c) => c !== running.caller);
      let recorded = false;
      for (let attempt = 0; !recorded; attempt++) {
        try {
          await this.#backend.finish(key, running.holder, error);
          recorded = true;
        } catch (failure) {
          if (attempt >= 5) {
            this.#log.error({ key, err: String(failure) }, "once: cannot record the end of the run");
            break;
          }
          await new Promise((resolve) => setTimeout(resolve, 200 * 2 ** attempt));
        }
      }
      this.#log.info({ key, failed: error !== undefined }, "once: the run finished");
      thread.send({ t: "once-recorded", call });
      this.#allDone(key, state, error);
      return;
    }
  }

  #allDone(key: string, state: KeyState, error: string | undefined): void {
    state.done = { error };
    if (state.retry) clearTimeout(state.retry);
    state.retry = undefined;
    const callers = state.callers;
    state.callers = [];
    for (const caller of callers) caller.thread.send({ t: "once-result", call: caller.call, run: false, done: true, error });
    this.#log.debug({ key, callers: callers.length }, "once: told this process's other callers it is done");
  }

  #threadGone(thread: OnceThread): void {
    for (const [key, state] of this.#keys) {
      state.callers = state.callers.filter((c) => c.thread !== thread);
      const running = state.running;
      if (running?.caller.thread !== thread) continue;
      clearInterval(running.timer);
      state.running = undefined;
      this.#log.warn({ key, threadId: thread.threadId }, "once: the thread running it died; giving the run back");
      void this.#backend
        .release(key, running.holder)
        .catch(() => undefined)
        .then(() => this.#claim(key, state));
    }
  }

  /**
   * The process stops: no more claims. A run still in flight is given back when its thread
   * exits (or, if the process goes first, by the supervisor or the Lease's expiry).
   */
  close(): void {
    this.#closed = true;
    for (const state of this.#keys.values()) if (state.retry) clearTimeout(state.retry);
  }
}
