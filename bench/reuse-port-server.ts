// A yardstick, not a product: the design docs/performance.md proposes beyond the thread hop.
// Each of `threads` worker threads runs node:http itself on the same port (reusePort), so the
// kernel spreads connections over them and a request never crosses threads. No pool, queue,
// routing or metrics; the benchmark can measure it next to the runtime and the bare hop:
//
//   npx node bench/reuse-port-server.ts [threads]   (prints {"msg":"serving","port":N})
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { Worker, isMainThread, parentPort, workerData } from "node:worker_threads";

if (isMainThread) {
  const threads = Number(process.argv[2] ?? 2);
  // The port is picked by a first listener so every thread binds the same one.
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen({ port: 0, host: "127.0.0.1", reusePort: true }, resolve));
  const port = (probe.address() as AddressInfo).port;
  const workers = Array.from({ length: threads }, () => new Worker(new URL(import.meta.url), { workerData: port }));
  await Promise.all(workers.map((w) => new Promise((resolve) => w.once("message", resolve))));
  probe.close();
  process.stdout.write(`${JSON.stringify({ msg: "serving", port })}\n`);
  process.on("SIGTERM", () => process.exit(0));
} else {
  const server = createServer({ keepAliveTimeout: 30_000 }, (_req, res) => {
    res.setHeader("content-type", "text/plain");
    res.end("hello world");
  });
  server.listen({ port: workerData as number, host: "127.0.0.1", reusePort: true }, () => parentPort?.postMessage("listening"));
}
