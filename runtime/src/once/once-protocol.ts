// Messages between a worker thread and its process's main thread for env.once().

/** From a thread: a caller of once() (claim), and later the end of its run (finished). */
export type OnceFromWorker =
  | { readonly t: "once"; readonly call: number; readonly key: string; readonly wait: boolean }
  | { readonly t: "once-finished"; readonly call: number; readonly error?: string | undefined };

/**
 * To a thread. `run`: run fn now (the first answer, or later for a caller that was told
 * false and stood by, when the runner died). Not `run`: someone else runs or ran it; `done`
 * says it finished (with `error` if it failed), after which the caller's fn is dropped.
 * `once-recorded`: the end of this caller's run is known to the coordinator.
 */
export type OnceToWorker =
  | { readonly t: "once-result"; readonly call: number; readonly run: boolean; readonly done: boolean; readonly error?: string | undefined }
  | { readonly t: "once-recorded"; readonly call: number };
