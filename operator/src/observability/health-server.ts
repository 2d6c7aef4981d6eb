import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { Registry } from "prom-client";

export interface HealthChecks {
  /** The process works (its event loop answers). */
  readonly live: () => boolean;
  /** Ready to do its job: caches synced while leading, or standing by as a candidate. */
  readonly ready: () => { ok: boolean; detail: string };
}

/** /healthz, /readyz and /metrics on one port, the way kubelet probes and Prometheus expect. */
export class HealthServer {
  readonly #server: Server;

  constructor(checks: HealthChecks, registry: Registry) {
    this.#server = createServer((req, res) => {
      const path = new URL(req.url ?? "/", "http://localhost").pathname;
      const send = (status: number, body: string, type = "text/plain; charset=utf-8"): void => {
        res.writeHead(status, { "content-type": type }).end(body);
      };
      if (req.method !== "GET" && req.method !== "HEAD") return send(405, "method not allowed\n");
      if (path === "/healthz" || path === "/livez") return checks.live() ? send(200, "ok\n") : send(500, "not live\n");
      if (path === "/readyz") {
        const { ok, detail } = checks.ready();
        return send(ok ? 200 : 503, `${detail}\n`);
      }
      if (path === "/metrics") {
        registry.metrics().then(
          (text) => send(200, text, registry.contentType),
          (error: unknown) => send(500, `${String(error)}\n`),
        );
        return;
      }
      send(404, "not found\n");
    });
  }

  /** Listens on 127.0.0.1 or all interfaces; port 0 picks a free one. Resolves to the bound port. */
  listen(port: number, host = "0.0.0.0"): Promise<number> {
    return new Promise((resolve, reject) => {
      this.#server.once("error", reject);
      this.#server.listen(port, host, () => {
        this.#server.off("error", reject);
        resolve((this.#server.address() as AddressInfo).port);
      });
    });
  }

  close(): Promise<void> {
    return new Promise((resolve) => {
      this.#server.close(() => resolve());
      this.#server.closeAllConnections();
    });
  }
}
