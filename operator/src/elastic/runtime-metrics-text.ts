import { z } from "zod";

// The few series of a runtime's /metrics (Prometheus text format, docs/contract.md) that an
// elastic decision reads. Only what the runtime writes is understood: `name{labels} value`
// lines, comments skipped. Anything else that would be needed is not there, so the pod is
// unknown rather than read as idle.

const THREADS = "processgroup_threads";
const QUEUE = "processgroup_queue_length";

const LINE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)(?:\s+\S+)?$/;
const LABEL = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g;

const Count = z.number().int().min(0);
export const RuntimeThreadMetrics = z
  .object({ busyThreads: Count, threads: Count.min(1, { error: "reports no worker thread" }), queueLength: Count })
  .refine((m) => m.busyThreads <= m.threads, { error: "more busy threads than threads" });
export type RuntimeThreadMetrics = z.output<typeof RuntimeThreadMetrics>;

interface Series {
  readonly name: string;
  readonly labels: ReadonlyMap<string, string>;
  readonly value: number;
}

function seriesOf(line: string): Series | undefined {
  const match = LINE.exec(line.trim());
  if (!match) return undefined;
  const [, name = "", labelText = "", valueText = ""] = match;
  const labels = new Map<string, string>();
  for (const [, key = "", value = ""] of labelText.matchAll(LABEL)) labels.set(key, value);
  return { name, labels, value: Number(valueText) };
}

/** The busy threads, all threads and queued requests of one pod, summed over its application groups. */
export function threadMetricsOf(text: string): { ok: true; value: RuntimeThreadMetrics } | { ok: false; problem: string } {
  let busy = 0;
  let idle = 0;
  let queue = 0;
  let sawThreads = false;
  let sawQueue = false;
  for (const line of text.split("\n")) {
    if (line.startsWith("#") || line.trim() === "") continue;
    const series = seriesOf(line);
    if (!series) continue;
    if (series.name === THREADS) {
      sawThreads = true;
      const state = series.labels.get("state");
      if (state === "busy") busy += series.value;
      else if (state === "idle") idle += series.value;
    } else if (series.name === QUEUE) {
      sawQueue = true;
      queue += series.value;
    }
  }
  if (!sawThreads) return { ok: false, problem: `no ${THREADS} series` };
  if (!sawQueue) return { ok: false, problem: `no ${QUEUE} series` };
  const parsed = RuntimeThreadMetrics.safeParse({ busyThreads: busy, threads: busy + idle, queueLength: queue });
  return parsed.success ? { ok: true, value: parsed.data } : { ok: false, problem: parsed.error.issues.map((i) => i.message).join("; ") };
}
