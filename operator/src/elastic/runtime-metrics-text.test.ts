import { describe, expect, it } from "vitest";
import { threadMetricsOf } from "./runtime-metrics-text.ts";

// The runtime's own output (prom-client) is read in test/runtime/elastic-metrics-scrape.test.ts;
// these are the shapes around it.
const runtimeText = `# HELP processgroup_thread_busy 1 while the worker thread serves a request, 0 while it is idle.
# TYPE processgroup_thread_busy gauge
processgroup_thread_busy{application_group="blog",thread="1"} 1
# HELP processgroup_threads Worker threads by state.
# TYPE processgroup_threads gauge
processgroup_threads{application_group="blog",state="busy"} 3
processgroup_threads{application_group="blog",state="idle"} 12
processgroup_threads{application_group="shop",state="busy"} 1
processgroup_threads{application_group="shop",state="idle"} 14
# HELP processgroup_queue_length Requests waiting for a free thread.
# TYPE processgroup_queue_length gauge
processgroup_queue_length{application_group="blog"} 2
processgroup_queue_length{application_group="shop"} 0
processgroup_requests_total{application="blog",status="200"} 1234
`;

describe("threadMetricsOf", () => {
  it("sums busy threads, threads and queued requests over the application groups", () => {
    expect(threadMetricsOf(runtimeText)).toEqual({ ok: true, value: { busyThreads: 4, threads: 30, queueLength: 2 } });
  });

  it("reads label values with escapes and a trailing timestamp", () => {
    const text = 'processgroup_threads{application_group="a\\"b",state="busy"} 2 1700000000000\nprocessgroup_threads{state="idle",application_group="a\\"b"} 1\nprocessgroup_queue_length 0\n';
    expect(threadMetricsOf(text)).toEqual({ ok: true, value: { busyThreads: 2, threads: 3, queueLength: 0 } });
  });

  it.each([
    ["", "no processgroup_threads series"],
    ["up 1\n", "no processgroup_threads series"],
    ['processgroup_threads{state="busy"} 1\nprocessgroup_threads{state="idle"} 1\n', "no processgroup_queue_length series"],
    ['processgroup_threads{state="busy"} 0\nprocessgroup_threads{state="idle"} 0\nprocessgroup_queue_length 0\n', "reports no worker thread"],
    ['processgroup_threads{state="busy"} NaN\nprocessgroup_threads{state="idle"} 1\nprocessgroup_queue_length 0\n', "Invalid input"],
    ['processgroup_threads{state="busy"} 1.5\nprocessgroup_threads{state="idle"} 1\nprocessgroup_queue_length 0\n', "Invalid input"],
    ['processgroup_threads{state="busy"} 1\nprocessgroup_threads{state="idle"} 1\nprocessgroup_queue_length -1\n', "Too small"],
  ])("is not a reading: %j", (text, problem) => {
    const result = threadMetricsOf(text);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.problem).toContain(problem);
  });
});
