// The four workloads as one handler module, run unchanged by every Node server in the bench
// (plain node:http, node:cluster, PM2 and the runtime), so they differ only in how they host it.
// apps/app.wsgi is the same logic in Python for Apache + mod_wsgi. Plain JavaScript, as most
// Node apps are: a TypeScript module would make every Node server of the bench load Node's
// TypeScript stripper (about 16 MB a process), which is not what hosting an app costs.
import { setTimeout as sleep } from "node:timers/promises";

/** Iterations of the CPU-bound loop: about 5 ms of one core in V8 on the development machine. */
export const CPU_ITERATIONS = 1_000_000;
export const IO_WAIT_MS = 10;
export const BYTES_SIZE = 64 * 1024;

const HELLO = "hello world";
const BYTES = Buffer.alloc(BYTES_SIZE, "x");
const TEXT = "text/plain";
const OCTETS = "application/octet-stream";

/** A fixed amount of arithmetic that no engine can skip: the answer depends on every step. */
export function cpuWork(iterations) {
  let x = 0;
  for (let i = 0; i < iterations; i++) x = (x * 31 + i) % 1000003;
  return x;
}

function send(res, type, body, status = 200) {
  res.writeHead(status, { "content-type": type, "content-length": Buffer.byteLength(body) });
  res.end(body);
}

function pathOf(url) {
  const query = url?.indexOf("?") ?? -1;
  return query === -1 ? (url ?? "/") : (url ?? "/").slice(0, query);
}

/** The workloads as a Node (req, res) listener: /hello, /cpu, /io, /bytes. */
export function listener(req, res) {
  switch (pathOf(req.url)) {
    case "/hello":
      return send(res, TEXT, HELLO);
    case "/cpu":
      return send(res, TEXT, String(cpuWork(CPU_ITERATIONS)));
    case "/io":
      void sleep(IO_WAIT_MS).then(() => send(res, TEXT, "waited"));
      return;
    case "/bytes":
      return send(res, OCTETS, BYTES);
    default:
      return send(res, TEXT, "not found", 404);
  }
}

function response(type, body, status = 200) {
  return new Response(body, { status, headers: { "content-type": type } });
}

/** The same workloads as a fetch-style handler; `pathInfo` is the runtime's path below the mount. */
export async function fetchWorkload(request, pathInfo) {
  switch (pathInfo ?? new URL(request.url).pathname) {
    case "/hello":
      return response(TEXT, HELLO);
    case "/cpu":
      return response(TEXT, String(cpuWork(CPU_ITERATIONS)));
    case "/io":
      await sleep(IO_WAIT_MS);
      return response(TEXT, "waited");
    case "/bytes":
      return response(OCTETS, BYTES);
    default:
      return response(TEXT, "not found", 404);
  }
}
