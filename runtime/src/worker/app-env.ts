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
}
