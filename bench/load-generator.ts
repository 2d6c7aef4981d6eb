import { connect, type Socket } from "node:net";

export interface Throughput {
  readonly requests: number;
  readonly seconds: number;
  readonly perSecond: number;
  readonly non200: number;
  readonly errors: number;
}

const HEAD_END = Buffer.from("\r\n\r\n");

/**
 * A lean closed-loop HTTP/1.1 load generator: `connections` keep-alive sockets, one request
 * in flight on each, responses framed by Content-Length. Lean so that on a small machine it
 * takes as little CPU as it can from the servers it measures (the same for every server).
 */
export async function measure(port: number, path: string, connections: number, seconds: number): Promise<Throughput> {
  const request = Buffer.from(`GET ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n`);
  let requests = 0;
  let non200 = 0;
  let errors = 0;
  let counting = true;
  const sockets: Socket[] = [];
  await Promise.all(
    Array.from(
      { length: connections },
      () =>
        new Promise<void>((resolve) => {
          const socket = connect(port, "127.0.0.1", () => {
            socket.setNoDelay(true);
            socket.write(request);
            resolve();
          });
          sockets.push(socket);
          let pending: Buffer = Buffer.alloc(0);
          socket.on("data", (data: Buffer) => {
            pending = pending.length === 0 ? data : Buffer.concat([pending, data]);
            for (;;) {
              const headEnd = pending.indexOf(HEAD_END);
              if (headEnd === -1) return;
              const head = pending.subarray(0, headEnd).toString("latin1");
              const match = /content-length: *(\d+)/i.exec(head);
              const total = headEnd + 4 + Number(match?.[1] ?? 0);
              if (pending.length < total) return;
              if (counting) {
                requests += 1;
                if (!head.startsWith("HTTP/1.1 200")) non200 += 1;
              }
              pending = pending.subarray(total);
              if (counting) socket.write(request);
            }
          });
          socket.on("error", () => {
            errors += 1;
            resolve();
          });
        }),
    ),
  );
  const started = performance.now();
  await new Promise((resolve) => setTimeout(resolve, seconds * 1000));
  counting = false;
  const elapsed = (performance.now() - started) / 1000;
  for (const s of sockets) s.destroy();
  return { requests, seconds: elapsed, perSecond: requests / elapsed, non200, errors };
}
