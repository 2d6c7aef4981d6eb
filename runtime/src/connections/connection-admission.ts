import { backlogFullAnswer, queueTimeoutAnswer } from "../threads/queue-answers.ts";
import { realTimers, WaitQueue, type Timers } from "../threads/wait-queue.ts";
import { HOLD, HOLD_MS, placeConnection, type ThreadView } from "./place-connection.ts";

/** What admission needs of its pool: the threads, and how a connection is handed or refused. */
export interface AdmissionShell<C, T extends ThreadView> {
  /** False until the pool's threads have loaded: connections wait meanwhile. */
  ready(): boolean;
  /** The threads that take new connections now. */
  candidates(): readonly T[];
  /** Asks every thread to say when one of its requests ends (ThreadLoad.want). */
  wantRoom(): void;
  hand(thread: T, connection: C): void;
  refuse(connection: C, status: 503, message: string): void;
  /** A connection was placed, or refused, after waiting `ms`. */
  waited(ms: number): void;
}

export interface AdmissionOptions {
  readonly group: string;
  /** listenBacklog: how many connections may wait for a thread. */
  readonly capacity: number;
  /** queueTimeout: how long one may wait. */
  readonly timeoutMs: number | undefined;
  readonly concurrency: number;
  /** How many threads can run at once (placement, place-connection.ts). */
  readonly cores: number;
  readonly timers?: Timers;
  /** Runs a callback once the current turn of the event loop is done. */
  readonly soon?: (callback: () => void) => void;
}

/**
 * Which thread a new connection goes to, and when: at once to a thread with room
 * (placeConnection), else it waits, first come first served, within listenBacklog and
 * queueTimeout, and is placed when a thread says it has room; or it is held back a moment
 * (HOLD_MS) for a thread that holds a core. The pool tells it when room may have come
 * (placeWaiting); everything else about threads stays with the pool.
 */
export class ConnectionAdmission<C, T extends ThreadView> {
  readonly #options: AdmissionOptions;
  readonly #shell: AdmissionShell<C, T>;
  readonly #waiting: WaitQueue<C>;
  readonly #timers: Timers;
  readonly #soon: (callback: () => void) => void;
  #holdTimer: unknown;

  constructor(options: AdmissionOptions, shell: AdmissionShell<C, T>) {
    this.#options = options;
    this.#shell = shell;
    this.#timers = options.timers ?? realTimers;
    this.#soon = options.soon ?? setImmediate;
    this.#waiting = new WaitQueue<C>({
      capacity: options.capacity,
      timeoutMs: options.timeoutMs,
      timers: this.#timers,
      onTimeout: (connection, waitedMs) => {
        shell.waited(waitedMs);
        shell.refuse(connection, 503, queueTimeoutAnswer(options.group, waitedMs));
      },
    });
  }

  /** How many connections wait for a thread. */
  get waiting(): number {
    return this.#waiting.length;
  }

  /** A new connection: to a thread now, or it waits (behind any that wait already), or it is refused. */
  accept(connection: C): void {
    const placed = this.#shell.ready() && this.#waiting.length === 0 ? this.#place(connection, 0) : "wait";
    if (placed === "placed") return;
    if (!this.#waiting.push(connection)) {
      // Connections held back (HOLD_MS) may fill the backlog while a thread has room: that
      // thread takes this one rather than the client getting a 503.
      if (this.#shell.ready() && this.#place(connection, HOLD_MS) === "placed") return;
      return this.#shell.refuse(connection, 503, backlogFullAnswer(this.#options.group, this.#options.capacity));
    }
    if (placed === "held") this.#holdFor(HOLD_MS);
    this.#wantRoom();
  }

  /** A thread may have room: places waiting connections, the longest-waiting first, while threads take them. */
  placeWaiting(): void {
    if (!this.#shell.ready()) return;
    for (;;) {
      const next = this.#waiting.peek();
      if (next === undefined) return;
      const waitedMs = this.#waiting.headWaitedMs();
      const placed = this.#place(next, waitedMs);
      if (placed === "held") this.#holdFor(HOLD_MS - waitedMs);
      if (placed !== "placed") return this.#wantRoom();
      const shifted = this.#waiting.shift();
      if (shifted) this.#shell.waited(shifted.waitedMs);
    }
  }

  /** Empties the line, returning what waited (the pool refuses them). */
  clear(): C[] {
    return this.#waiting.clear();
  }

  /** Hands `connection` to a thread, or says it must wait, or be held back a moment longer (it waited `waitedMs`). */
  #place(connection: C, waitedMs: number): "placed" | "held" | "wait" {
    const chosen = placeConnection(this.#shell.candidates(), this.#options.concurrency, this.#options.cores, waitedMs < HOLD_MS);
    if (chosen === undefined) return "wait";
    if (chosen === HOLD) return "held";
    this.#shell.hand(chosen, connection);
    return "placed";
  }

  /** Looks at the waiting connections again in `ms`, when the oldest one's hold ends. */
  #holdFor(ms: number): void {
    if (this.#holdTimer !== undefined) return;
    this.#holdTimer = this.#timers.setTimeout(
      () => {
        this.#holdTimer = undefined;
        this.placeWaiting();
      },
      Math.max(1, Math.ceil(ms)),
    );
  }

  /** Asks every thread to say when a request ends; a thread may have made room meanwhile, so look again. */
  #wantRoom(): void {
    this.#shell.wantRoom();
    if (!this.#shell.ready()) return;
    const chosen = placeConnection(this.#shell.candidates(), this.#options.concurrency, this.#options.cores, true);
    if (chosen !== undefined && chosen !== HOLD) this.#soon(() => this.placeWaiting());
  }
}
