import type { Metric, MetricValueWithName, Registry } from "prom-client";
import { addObservation, emptyBucketCounts, type BucketCounts } from "./buckets.ts";

interface Series<L extends string> {
  readonly labels: Readonly<Record<L, string>>;
  readonly buckets: BucketCounts;
}

/**
 * A Prometheus histogram that takes whole bucket counts as well as single observations:
 * connection-mode threads count their requests into buckets themselves and report the
 * counts, which prom-client's Histogram (one observe() per value, hashing its labels each
 * time) cannot take. Its output is prom-client's, so registries, serve's aggregation across
 * processes and scrapers see no difference.
 */
export class BucketHistogram<L extends string> {
  readonly name: string;
  readonly help: string;
  readonly aggregator = "sum" as const;
  readonly #bounds: readonly number[];
  readonly #series = new Map<string, Series<L>>();

  constructor(options: { name: string; help: string; buckets: readonly number[]; registers: readonly Registry[] }) {
    this.name = options.name;
    this.help = options.help;
    this.#bounds = options.buckets;
    for (const registry of options.registers) registry.registerMetric(this as unknown as Metric);
  }

  // prom-client's registry prints the type it finds here.
  get type(): "histogram" {
    return "histogram";
  }

  /** The series of one label set, to observe or add to (kept: look it up once). */
  series(labels: Readonly<Record<L, string>>): BucketCounts {
    const key = JSON.stringify(labels);
    let series = this.#series.get(key);
    if (series === undefined) this.#series.set(key, (series = { labels: { ...labels }, buckets: emptyBucketCounts(this.#bounds) }));
    return series.buckets;
  }

  observe(labels: Readonly<Record<L, string>>, seconds: number): void {
    addObservation(this.series(labels), seconds, this.#bounds);
  }

  /** Adds counts taken elsewhere with the same bounds. */
  add(labels: Readonly<Record<L, string>>, taken: BucketCounts): void {
    const series = this.series(labels);
    for (let i = 0; i < series.counts.length; i++) series.counts[i]! += taken.counts[i] ?? 0;
    series.sum += taken.sum;
    series.count += taken.count;
  }

  reset(): void {
    this.#series.clear();
  }

  async get(): Promise<{ name: string; help: string; type: "histogram"; aggregator: "sum"; values: MetricValueWithName<string>[] }> {
    const values: MetricValueWithName<string>[] = [];
    for (const { labels, buckets } of this.#series.values()) {
      let cumulative = 0;
      this.#bounds.forEach((le, i) => {
        cumulative += buckets.counts[i]!;
        values.push({ labels: { le, ...labels }, value: cumulative, metricName: `${this.name}_bucket` });
      });
      values.push({ labels: { le: "+Inf", ...labels }, value: buckets.count, metricName: `${this.name}_bucket` });
      values.push({ labels: { ...labels }, value: buckets.sum, metricName: `${this.name}_sum` });
      values.push({ labels: { ...labels }, value: buckets.count, metricName: `${this.name}_count` });
    }
    return { name: this.name, help: this.help, type: "histogram", aggregator: this.aggregator, values };
  }
}
