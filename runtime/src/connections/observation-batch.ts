import { addObservation, emptyBucketCounts, type BucketCounts } from "../observability/buckets.ts";
import type { Answered, AnsweredTally, Observed } from "./protocol.ts";

/** What the access log reads of a request (an IncomingMessage). */
export interface AnsweredRequest {
  readonly method?: string | undefined;
  readonly url?: string | undefined;
  readonly socket: { readonly remoteAddress?: string | undefined };
}

interface Tally {
  readonly statuses: Map<number, number>;
  readonly durations: BucketCounts;
}

/**
 * What a connection-mode thread observed since its last report, kept as counts: an object
 * per request, cloned to the main thread once a second and observed there one by one, cost
 * the thread as much as the rest of the runtime's own work on a request, and the main
 * thread a few microseconds more.
 */
export class ObservationBatch {
  readonly #accessLog: boolean;
  #tallies = new Map<string, Tally>();
  #requests: Answered[] = [];
  #queueWaits = emptyBucketCounts();
  #clientErrors = new Map<number, number>();

  constructor(accessLog: boolean) {
    this.#accessLog = accessLog;
  }

  /** A request was answered; the access log (when on) takes its method, URL and client address from `req`. */
  answered(application: string, status: number, seconds: number, req: AnsweredRequest): void {
    let tally = this.#tallies.get(application);
    if (tally === undefined) this.#tallies.set(application, (tally = { statuses: new Map(), durations: emptyBucketCounts() }));
    tally.statuses.set(status, (tally.statuses.get(status) ?? 0) + 1);
    addObservation(tally.durations, seconds);
    if (this.#accessLog) this.#requests.push({ application, status, seconds, method: req.method, url: req.url, remoteAddress: req.socket.remoteAddress });
  }

  queueWait(seconds: number): void {
    addObservation(this.#queueWaits, seconds);
  }

  clientError(status: number): void {
    this.#clientErrors.set(status, (this.#clientErrors.get(status) ?? 0) + 1);
  }

  /** Everything observed since the last call, which starts a new batch. */
  take(): Observed {
    const answered: AnsweredTally[] = [...this.#tallies].map(([application, tally]) => ({
      application,
      statuses: [...tally.statuses],
      durations: tally.durations,
    }));
    const observed: Observed = { answered, requests: this.#requests, queueWaits: this.#queueWaits, clientErrors: [...this.#clientErrors] };
    this.#tallies = new Map();
    this.#requests = [];
    this.#queueWaits = emptyBucketCounts();
    this.#clientErrors = new Map();
    return observed;
  }
}
