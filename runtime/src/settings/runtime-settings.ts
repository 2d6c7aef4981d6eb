import type { Dispatch } from "./dispatch.ts";
import type { Requirements } from "../../../crds/index.ts";

/** One application as the runtime serves it: its entry resolved to an absolute file path. */
export interface ServedApplication {
  readonly name: string;
  readonly mount: string;
  readonly entry: string;
  readonly applicationGroup: string;
  readonly requires: Requirements | undefined;
}

export interface PreloadModule {
  readonly module: string;
  /** Absent: every application group imports it. */
  readonly applicationGroup: string | undefined;
}

/** Knobs of the HTTP front that the ProcessGroup spec does not carry (node:http's own limits). */
export interface HttpLimits {
  /** Larger request heads get 431. */
  readonly maxHeaderSize: number;
  /** A client that has not sent its whole head by then gets 408 (slow clients). */
  readonly headersTimeoutMs: number;
  /** A client that has not sent its whole request (head and body) by then gets 408. */
  readonly requestTimeoutMs: number;
  readonly keepAliveTimeoutMs: number;
}

export const DEFAULT_HTTP_LIMITS: HttpLimits = {
  maxHeaderSize: 16 * 1024,
  headersTimeoutMs: 20_000,
  requestTimeoutMs: 300_000,
  keepAliveTimeoutMs: 5_000,
};

/** What the contract does not say and a local run or a test may choose. */
export interface LocalOptions {
  readonly host: string;
  readonly port: number;
  readonly adminHost: string;
  readonly adminPort: number;
  /** Replace a group's threads when one of its entry files changes. */
  readonly reloadOnChange: boolean;
  readonly accessLog: boolean;
  readonly logLevel: string;
  readonly http: HttpLimits;
  /** How requests reach the threads (PROCESSGROUP_DISPATCH; `auto` unless an image or a shell asks). */
  readonly dispatch: Dispatch;
  /** env.once(): how long a runner that stops renewing keeps its run (PROCESSGROUP_ONCE_TAKEOVER_SECONDS). */
  readonly onceTakeoverMs: number;
  /**
   * How many of this process's threads can run at once, for placing connections: `serve`
   * divides the machine's cores among its processes. Absent: the cores this process may use.
   */
  readonly cores?: number | undefined;
}

/**
 * Everything one runtime process needs, whichever way it was started: from the operator's
 * contract (`processgroup run`) or from a ProcessGroup file (`processgroup serve`).
 */
export interface RuntimeSettings extends LocalOptions {
  readonly processGroup: string;
  readonly threads: number;
  /** Requests one worker thread may run at once (spec.concurrency; 1 is mod_wsgi's threads). */
  readonly concurrency: number;
  readonly multiprocess: boolean;
  readonly multithread: boolean;
  readonly applications: readonly ServedApplication[];
  readonly preload: readonly PreloadModule[];
  readonly displayName: string;
  readonly maximumRequests: number | undefined;
  readonly requestTimeoutSeconds: number | undefined;
  readonly queueTimeoutSeconds: number | undefined;
  readonly gracefulTimeoutSeconds: number;
  readonly shutdownTimeoutSeconds: number;
  readonly restartIntervalSeconds: number | undefined;
  readonly listenBacklog: number;
  readonly threadMemoryLimitMegabytes: number | undefined;
  /**
   * spec.env, which the runtime sets in each worker thread's process.env: `serve` reads it from
   * the file. Under `run` it is empty, because the operator puts spec.env on the pod itself.
   */
  readonly environment: Readonly<Record<string, string>>;
}
