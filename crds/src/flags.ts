/** mod_wsgi's default for threads=. */
export const DEFAULT_THREADS = 15;

export interface ConcurrencyFlags {
  /** Pods in a cluster, OS processes locally. */
  readonly processes: number;
  /** Worker threads per application group in each process. */
  readonly threads: number;
  readonly multiprocess: boolean;
  readonly multithread: boolean;
}

/**
 * mod_wsgi's rule, exactly: wsgi.multiprocess is true whenever `processes` is given, even as
 * 1, because the operator may run several groups or restart the one process while another
 * serves; it is false only when the option is omitted. An elastic group may grow to several
 * processes, so it is multiprocess whatever `processes` says. wsgi.multithread is true iff
 * more than one thread serves requests. `processes` here is the spec's count: an elastic
 * group's minimum, the operator's decision moves the pods above it.
 */
export function flags(spec: {
  readonly processes?: number | undefined;
  readonly threads?: number | undefined;
  readonly elastic?: object | undefined;
}): ConcurrencyFlags {
  const threads = spec.threads ?? DEFAULT_THREADS;
  return {
    processes: spec.processes ?? 1,
    threads,
    multiprocess: spec.processes !== undefined || spec.elastic !== undefined,
    multithread: threads > 1,
  };
}
