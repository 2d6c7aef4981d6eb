-- wrk's done hook: one line of JSON with exact numbers (latencies in microseconds), so the bench
-- never has to parse wrk's rounded, unit-suffixed text. Defining only `done` keeps wrk on its
-- fast path (no Lua runs per request).
done = function(summary, latency, requests)
  io.write(string.format(
    'WRK_RESULT {"requests":%d,"durationMicros":%d,"bytes":%d,"connectErrors":%d,"readErrors":%d,"writeErrors":%d,"timeouts":%d,"httpErrors":%d,"p50Micros":%d,"p90Micros":%d,"p99Micros":%d,"maxMicros":%d}\n',
    summary.requests, summary.duration, summary.bytes,
    summary.errors.connect, summary.errors.read, summary.errors.write, summary.errors.timeout, summary.errors.status,
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max))
end
