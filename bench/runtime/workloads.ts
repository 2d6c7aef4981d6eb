import { BYTES_SIZE, CPU_ITERATIONS, IO_WAIT_MS } from "./handlers.mjs";
import type { Workload } from "./types.ts";

/**
 * 32 connections saturate every server here; the I/O workload gets 64 so that servers with
 * no cap on concurrency (event loops) can show it, while the runtime and mod_wsgi run at most
 * processes x threads requests at once, by design.
 */
export const WORKLOADS: readonly Workload[] = [
  { id: "hello", path: "/hello", label: "hello world", connections: 32, description: "11-byte text answer: the cost of hosting itself" },
  {
    id: "cpu",
    path: "/cpu",
    label: "CPU-bound",
    connections: 32,
    description: `${CPU_ITERATIONS.toLocaleString("en")} iterations of arithmetic (~5 ms of a core in V8): parallelism`,
  },
  { id: "io", path: "/io", label: `${IO_WAIT_MS} ms I/O`, connections: 64, description: `awaits a ${IO_WAIT_MS} ms timer (Python: time.sleep): concurrency` },
  { id: "bytes", path: "/bytes", label: "64 KiB", connections: 32, description: `a ${BYTES_SIZE / 1024} KiB body: bytes through the server` },
];
