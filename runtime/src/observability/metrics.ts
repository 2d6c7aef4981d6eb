import { Counter, Gauge, Registry, collectDefaultMetrics } from "prom-client";
import { BucketHistogram } from "./bucket-histogram.ts";
import { addObservation, LATENCY_BUCKETS, type BucketCounts } from "./buckets.ts";
import type { RecycleReason } from "../threads/pool-thread.ts";
import type { PoolObserver } from "../threads/thread-pool.ts";

/**
 * How often prom-client's event-loop-lag histogram samples the main thread, in ms. Its default,
 * 10 ms, is a native timer that wakes every process 100 times a second, idle or not; under
 * load each wake-up can preempt a thread that serves requests (measured in
 * docs/performance.md). Ten samples a second still see every stall longer than 100 ms, and
 * give a 15 s scrape 150 samples.
 */
export const EVENT_LOOP_LAG_RESOLUTION_MS = 100;

/** The runtime's Prometheus metrics, in a registry of its own (served on the admin port). */
export class RuntimeMetrics implements PoolObserver {
  readonly registry = new Registry();
  readonly #threadBusy: Gauge<"application_group" | "thread">;
  readonly #threads: Gauge<"application_group" | "state">;
  readonly #queueLength: Gauge<"application_group">;
  readonly #queueWait: BucketHistogram<"application_group">;
  readonly #requests: Counter<"application" | "status">;
  readonly #duration: BucketHistogram<"application">;
  readonly #recycles: Counter<"application_group" | "reason">;
  readonly #clientErrors: Counter<"status">;
  readonly #states = new Map<string, Map<number, "idle" | "busy">>();
  readonly #queueLengths = new Map<string, number>();
  readonly #requestCounts = new Map<string, { readonly labels: { application: string; status: string }; count: number }>();
  readonly #durationSeries = new Map<string, BucketCounts>();

  constructor(options: { defaultMetrics: boolean }) {
    const registers = [this.registry];
    if (options.defaultMetrics) collectDefaultMetrics({ register: this.registry, eventLoopMonitoringPrecision: EVENT_LOOP_LAG_RESOLUTION_MS });
    const states = this.#states;
    const queueLengths = this.#queueLengths;
    const requestCounts = this.#requestCounts;
    // Thread states change twice a request; they are read into the gauges only when scraped.
    this.#threadBusy = new Gauge({
      name: "processgroup_thread_busy",
      help: "1 while the worker thread serves a request, 0 while it is idle.",
      labelNames: ["application_group", "thread"],
      registers,
      collect() {
        this.reset();
        for (const [group, threads] of states) for (const [id, state] of threads) this.set({ application_group: group, thread: String(id) }, state === "busy" ? 1 : 0);
      },
    });
    this.#threads = new Gauge({
      name: "processgroup_threads",
      help: "Worker threads by state.",
      labelNames: ["application_group", "state"],
      registers,
      collect() {
        this.reset();
        for (const [group, threads] of states) {
          const busy = [...threads.values()].filter((s) => s === "busy").length;
          this.set({ application_group: group, state: "busy" }, busy);
          this.set({ application_group: group, state: "idle" }, threads.size - busy);
        }
      },
    });
    // The queue length changes a few times a request and the request count once; prom-client
    // hashes the labels and allocates on every set/inc, so both are plain numbers until scraped.
    this.#queueLength = new Gauge({
      name: "processgroup_queue_length",
      help: "Requests waiting for a free thread.",
      labelNames: ["application_group"],
      registers,
      collect() {
        for (const [group, length] of queueLengths) this.set({ application_group: group }, length);
      },
    });
    this.#queueWait = new BucketHistogram({ name: "processgroup_queue_wait_seconds", help: "Time requests waited for a free thread.", buckets: LATENCY_BUCKETS, registers });
    this.#requests = new Counter({
      name: "processgroup_requests_total",
      help: "Requests answered, by application and status.",
      labelNames: ["application", "status"],
      registers,
      collect() {
        this.reset();
        for (const { labels, count } of requestCounts.values()) this.inc(labels, count);
      },
    });
    this.#duration = new BucketHistogram({ name: "processgroup_request_duration_seconds", help: "Time from the request's arrival to the end of its response.", buckets: LATENCY_BUCKETS, registers });
    this.#recycles = new Counter({ name: "processgroup_thread_recycles_total", help: "Worker threads replaced, by reason.", labelNames: ["application_group", "reason"], registers });
    this.#clientErrors = new Counter({ name: "processgroup_client_errors_total", help: "Connections answered before any application saw them (malformed HTTP, oversize headers, slow clients).", labelNames: ["status"], registers });
  }

  threadState(group: string, threadId: number, state: "idle" | "busy" | "gone"): void {
    let threads = this.#states.get(group);
    if (threads === undefined) this.#states.set(group, (threads = new Map()));
    if (state === "gone") threads.delete(threadId);
    else threads.set(threadId, state);
  }

  queueLength(group: string, length: number): void {
    this.#queueLengths.set(group, length);
  }

  queueWait(group: string, seconds: number): void {
    this.#queueWait.observe({ application_group: group }, seconds);
  }

  /** Queue waits counted into LATENCY_BUCKETS elsewhere (a connection-mode thread). */
  queueWaits(group: string, counts: BucketCounts): void {
    if (counts.count > 0) this.#queueWait.add({ application_group: group }, counts);
  }

  recycled(group: string, reason: RecycleReason): void {
    this.#recycles.inc({ application_group: group, reason });
  }

  answered(application: string, status: number, seconds: number): void {
    this.answeredMany(application, status, 1);
    addObservation(this.#durationOf(application), seconds);
  }

  /** `count` requests of `application` were answered `status` (their durations come apart, in durations()). */
  answeredMany(application: string, status: number, count: number): void {
    // Label sets are hashed once, not on every request.
    const key = `${application} ${status}`;
    const series = this.#requestCounts.get(key);
    if (series === undefined) this.#requestCounts.set(key, { labels: { application, status: String(status) }, count });
    else series.count += count;
  }

  /** Durations counted into LATENCY_BUCKETS elsewhere (a connection-mode thread). */
  durations(application: string, counts: BucketCounts): void {
    this.#duration.add({ application }, counts);
  }

  #durationOf(application: string): BucketCounts {
    let series = this.#durationSeries.get(application);
    if (series === undefined) this.#durationSeries.set(application, (series = this.#duration.series({ application })));
    return series;
  }

  clientError(status: number, count = 1): void {
    this.#clientErrors.inc({ status: String(status) }, count);
  }
}
