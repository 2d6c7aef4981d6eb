import type { IncomingMessage, Server, ServerResponse } from "node:http";
import { nodeHttp } from "./node-http.ts";
import type { Duplex } from "node:stream";
import type { Logger } from "pino";
import type { RuntimeMetrics } from "../observability/metrics.ts";
import { mountTable } from "../routing/mount-table.ts";
import { safeTarget } from "../routing/request-path.ts";
import { requirementProblem } from "../routing/requirements.ts";
import type { RuntimeSettings, ServedApplication } from "../settings/runtime-settings.ts";
import type { ThreadPool } from "../threads/thread-pool.ts";
import { rawErrorResponse, statusOfClientError } from "./client-errors.ts";
import { ConnectionBudget } from "./connection-budget.ts";
import { HttpExchange } from "./http-exchange.ts";
import { OwedResponses } from "./owed-responses.ts";
import { serverOptionsOf } from "./server-options.ts";

export interface FrontOptions {
  readonly settings: RuntimeSettings;
  /** The pool of each application group, and the app's index among its group's apps. */
  readonly poolOf: (app: ServedApplication) => { readonly pool: ThreadPool; readonly index: number };
  readonly metrics: RuntimeMetrics;
  readonly log: Logger;
  readonly closing: () => boolean;
}

function answerPlain(res: ServerResponse, status: number, message: string, closing: boolean): void {
  const body = `${message}\n`;
  res.writeHead(status, { "content-type": "text/plain; charset=utf-8", "content-length": Buffer.byteLength(body), ...(closing ? { connection: "close" } : {}) });
  res.end(body);
}

/**
 * The apps' port: node's HTTP parser with its limits (431 for oversize heads, 408 for slow
 * clients, 400 for malformed requests), mount routing, and a hand-off to the group's pool.
 */
export function createFrontServer(options: FrontOptions): Server {
  const { settings, metrics, log } = options;
  const table = mountTable(settings.applications);
  // The flags never change while a process runs, so each app's verdict is known up front.
  const problems = new Map(settings.applications.map((app) => [app.name, requirementProblem(app, settings)]));
  const server = nodeHttp.createServer(serverOptionsOf(settings.http));
  const owed = new OwedResponses();
  const budget = new ConnectionBudget<Duplex>();

  server.on("request", (req: IncomingMessage, res: ServerResponse) => {
    const started = performance.now();
    const socket = req.socket;
    owed.owe(socket, res);
    res.once("close", () => owed.paid(socket, res));
    const target = safeTarget(req.url ?? "/");
    // Routing and the app see one URL: the normalised one.
    if (target.ok && req.url !== target.url) req.url = target.url;
    const match = target.ok ? table.match(target.path) : undefined;
    const application = match?.app.name ?? "(none)";
    const answered = (status: number) => {
      const seconds = (performance.now() - started) / 1000;
      metrics.answered(application, status, seconds);
      if (settings.accessLog) {
        log.info({ method: req.method, url: req.url, status, application, durationMs: Math.round(seconds * 1e4) / 10, remoteAddress: req.socket.remoteAddress }, "request");
      }
    };
    if (!target.ok) {
      answerPlain(res, 400, target.problem, options.closing());
      return answered(400);
    }
    if (!match) {
      answerPlain(res, 404, `no application is mounted at ${target.path}`, options.closing());
      return answered(404);
    }
    const problem = problems.get(match.app.name);
    if (problem) {
      answerPlain(res, 500, problem, options.closing());
      return answered(500);
    }
    const { pool, index } = options.poolOf(match.app);
    const exchange = new HttpExchange(req, res, {
      application,
      appIndex: index,
      scriptName: match.scriptName,
      pathInfo: match.pathInfo,
      query: target.query,
      log,
      answered,
      closing: options.closing,
    });
    res.on("close", () => {
      if (!exchange.abandoned) return;
      pool.withdraw(exchange);
      exchange.abort();
    });
    // A connection that pipelines many requests queues them behind its own, not in the group's queue.
    res.once("close", budget.admit(req.socket, () => pool.submit(exchange)));
  });

  server.on("clientError", (error: NodeJS.ErrnoException, socket: Duplex) => {
    // A failed parser fails again on whatever the client still sends: the first answer stands.
    if (owed.failed(socket)) return;
    const status = statusOfClientError(error.code);
    metrics.clientError(status);
    log.debug({ code: error.code, status }, "client error");
    if (error.code === "ECONNRESET" || !socket.writable) {
      socket.destroy();
      return;
    }
    owed.fail(socket, rawErrorResponse(status, nodeHttp.STATUS_CODES[status] ?? "Error"));
  });

  return server;
}
