// Messages between the main thread and a worker thread in connection mode, where the thread
// owns its connections and serves their requests itself (docs/performance.md).

import type { Socket } from "node:net";
import type { BucketCounts } from "../observability/buckets.ts";
import type { HttpLimits } from "../settings/runtime-settings.ts";

/** What a connection-mode thread needs besides its group's apps (WorkerData.connections). */
export interface ConnectionServing {
  readonly concurrency: number;
  readonly requestTimeoutMs: number | undefined;
  readonly queueTimeoutMs: number | undefined;
  /** Requests that may wait in the thread for room (listenBacklog). */
  readonly queueCapacity: number;
  /** After this many requests the thread asks to be replaced. */
  readonly maximumRequests: number | undefined;
  readonly http: HttpLimits;
  readonly accessLog: boolean;
  /** Why each app (by index) cannot run with the group's flags, if it cannot. */
  readonly problems: readonly (string | undefined)[];
  /** The thread's ThreadLoad. */
  readonly load: SharedArrayBuffer;
}

/** An answered request, as the thread reports it for metrics and the access log. */
export interface Answered {
  readonly application: string;
  readonly status: number;
  readonly seconds: number;
  readonly method: string | undefined;
  readonly url: string | undefined;
  readonly remoteAddress: string | undefined;
}

/** An application's answered requests since the last report: how many of each status, and their durations in LATENCY_BUCKETS. */
export interface AnsweredTally {
  readonly application: string;
  /** [status, count] pairs. */
  readonly statuses: readonly (readonly [number, number])[];
  readonly durations: BucketCounts;
}

/** What a thread observed since its last report. */
export interface Observed {
  readonly answered: readonly AnsweredTally[];
  /** Each answered request, only when the access log is on. */
  readonly requests: readonly Answered[];
  readonly queueWaits: BucketCounts;
  /** [status, count] pairs. */
  readonly clientErrors: readonly (readonly [number, number])[];
}

export type ToConnectionThread =
  | { readonly t: "connection"; readonly socket: Socket }
  /** Every response from now on closes its connection: the thread is replaced or the process drains. */
  | { readonly t: "stop-keep-alive" }
  /** No connection comes any more: close the idle ones, and each as it goes idle; say when none is left. */
  | { readonly t: "close-idle" }
  /** Report what was observed now (a scrape is waiting). */
  | { readonly t: "report"; readonly call: number };

export type FromConnectionThread =
  /** A request ended while the main thread waited for room (ThreadLoad.want). */
  | { readonly t: "room" }
  | { readonly t: "observed"; readonly call: number | undefined; readonly observed: Observed }
  /** An app threw or rejected while serving a request (answered 500, or cut if it had started). */
  | { readonly t: "app-failed"; readonly application: string; readonly error: string }
  /** A request ran past the request timeout and was answered 504: replace the thread. */
  | { readonly t: "timed-out" }
  /** The thread served maximumRequests requests: replace it. */
  | { readonly t: "served-enough" }
  /** Asked to close idle connections, the thread has none left. */
  | { readonly t: "connections-closed" };
