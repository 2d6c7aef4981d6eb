import type { Server, ServerResponse } from "node:http";
import { nodeHttp } from "../http/node-http.ts";

/** What the admin port reports; a `serve` supervisor answers for all its processes. */
export interface AdminSource {
  /** Null when ready, else why not (one line per reason). */
  readiness(): Promise<readonly string[] | null>;
  metrics(): Promise<{ readonly contentType: string; readonly text: string }>;
}

function send(res: ServerResponse, status: number, contentType: string, body: string): void {
  res.writeHead(status, { "content-type": contentType, "content-length": Buffer.byteLength(body), "cache-control": "no-store" });
  res.end(body);
}

/**
 * The admin port, apart from the apps' so probes and scrapes never queue behind app
 * requests: /healthz (the process runs: liveness and startup), /readyz (every application
 * group has loaded and the process is not draining: readiness), /metrics (Prometheus).
 */
export function createAdminServer(source: AdminSource): Server {
  return nodeHttp.createServer((req, res) => {
    const path = (req.url ?? "/").split("?")[0];
    void (async () => {
      try {
        if (path === "/healthz") return send(res, 200, "text/plain; charset=utf-8", "ok\n");
        if (path === "/readyz") {
          const reasons = await source.readiness();
          return reasons === null ? send(res, 200, "text/plain; charset=utf-8", "ready\n") : send(res, 503, "text/plain; charset=utf-8", `not ready:\n${reasons.join("\n")}\n`);
        }
        if (path === "/metrics") {
          const { contentType, text } = await source.metrics();
          return send(res, 200, contentType, text);
        }
        send(res, 404, "text/plain; charset=utf-8", "not found: try /healthz, /readyz or /metrics\n");
      } catch (error) {
        send(res, 500, "text/plain; charset=utf-8", `${String(error)}\n`);
      }
    })();
  });
}
