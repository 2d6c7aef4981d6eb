// A yardstick, not a product: node:http on the main thread handing each request to one worker
// thread and writing back what it answers, with nothing else (no routing, pools, queue or
// metrics). Its throughput is the most any design with one thread hop per request can reach
// on this machine; the benchmark prints it next to the runtime's.
import { createServer, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { Worker } from "node:worker_threads";

const worker = new Worker(
  `const { parentPort } = require("node:worker_threads");
   parentPort.on("message", (m) => parentPort.postMessage({ id: m.id, status: 200, headers: ["content-type", "text/plain", "content-length", "11"], body: "hello world" }));`,
  { eval: true },
);
const waiting = new Map<number, ServerResponse>();
let nextId = 1;
worker.on("message", (m: { id: number; status: number; headers: string[]; body: string }) => {
  const res = waiting.get(m.id);
  waiting.delete(m.id);
  res?.writeHead(m.status, m.headers).end(m.body);
});
const server = createServer({ keepAliveTimeout: 30_000 }, (req, res) => {
  const id = nextId++;
  waiting.set(id, res);
  worker.postMessage({ id, method: req.method, url: req.url, rawHeaders: req.rawHeaders });
});
server.listen(0, "127.0.0.1", () => process.stdout.write(`${JSON.stringify({ msg: "serving", port: (server.address() as AddressInfo).port })}\n`));
process.on("SIGTERM", () => process.exit(0));
