/** The store shared by all threads of one application group in one process (atomic operations). */
export interface Shared {
  get(key: string): Promise<unknown>;
  set(key: string, value: unknown): Promise<void>;
  delete(key: string): Promise<boolean>;
  /** Adds `by` (default 1) to a number (absent counts as 0) and returns the new value. */
  increment(key: string, by?: number): Promise<number>;
  /** Sets `value` only if the key holds `expected` (undefined: absent); true if it did. */
  compareAndSet(key: string, expected: unknown, value: unknown): Promise<boolean>;
}

export interface OnceOptions {
  /** Resolve only once the run finished (the winner's error rejects), instead of false at once. */
  readonly wait?: boolean;
}

/**
 * Runs fn in one caller of the whole group (every thread of every process) per group start
 * (one `serve` run, one rollout in a cluster): true in the caller that ran it, false elsewhere.
 * At-least-once: a runner that dies mid-way is taken over and fn runs again (docs/contract.md).
 */
export type Once = (key: string, fn: () => unknown, options?: OnceOptions) => Promise<boolean>;

/** What an app is told about where and how it runs: the WSGI environ's process/thread keys and more. */
export interface AppEnv {
  readonly processGroup: string;
  readonly applicationGroup: string;
  readonly application: string;
  /** The app's mount as configured ("/" or "/blog"); WSGI's SCRIPT_NAME is the same with "/" as "". */
  readonly mount: string;
  /** PATH_INFO: the request path below the mount. */
  readonly pathInfo: string;
  readonly multiprocess: boolean;
  readonly multithread: boolean;
  readonly threads: number;
  /** Requests one thread may run at once (spec.concurrency): 1 means this app never overlaps itself on a thread. */
  readonly concurrency: number;
  readonly threadId: number;
  readonly pid: number;
  readonly shared: Shared;
  /** Run-once across the group (the same as `import { once } from "processgroup"`). */
  readonly once: Once;
}
