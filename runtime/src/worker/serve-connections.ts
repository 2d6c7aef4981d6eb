import type { ServerResponse } from "node:http";
import { nodeHttp } from "../http/node-http.ts";
import type { Socket } from "node:net";
import type { Duplex } from "node:stream";
import type { MessagePort } from "node:worker_threads";
import type { ConnectionServing, FromConnectionThread, ToConnectionThread } from "../connections/protocol.ts";
import { ObservationBatch } from "../connections/observation-batch.ts";
import { ThreadLoad } from "../connections/thread-load.ts";
import { rawErrorResponse, statusOfClientError } from "../http/client-errors.ts";
import { ConnectionBudget } from "../http/connection-budget.ts";
import { OwedResponses } from "../http/owed-responses.ts";
import { mountTable } from "../routing/mount-table.ts";
import { safeTarget } from "../routing/request-path.ts";
import { backlogFullAnswer, queueTimeoutAnswer, RETRY_AFTER_SECONDS } from "../threads/queue-answers.ts";
import { WaitQueue } from "../threads/wait-queue.ts";
import type { WorkerData } from "../threads/protocol.ts";
import { BusyMeter } from "./busy-meter.ts";
import { rewrapSocket } from "./rewrap-socket.ts";
import { acceptOptionsOf, applyAcceptOptions } from "../process/accept-options.ts";
import { ExchangeResponse, MountedRequest, newExchange, type Exchange } from "./connection-exchange.ts";
import { requestOfIncoming, writeResponse } from "./fetch-on-node.ts";
import { messageOf, type LoadedApp } from "./load-apps.ts";
import { serverOptionsOf } from "../http/server-options.ts";

/** How long observations may wait in the thread before they are reported unasked. */
const REPORT_EVERY_MS = 1_000;
/**
 * How long a new connection counts as a request about to run (ThreadLoad.handed): long
 * enough for its client's first request to arrive and begin on a loaded machine (100 ms was
 * not, with a test suite running beside it), short enough that a connection opened ahead of
 * time and left idle does not keep the thread from taking others for long.
 */
const FRESH_MS = 500;
/** How often the thread measures how busy its event loop was. */
const BUSY_EVERY_MS = 100;

function answerPlain(res: ServerResponse, status: number, message: string, headers: Readonly<Record<string, string>> = {}): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  const body = `${message}\n`;
  res.writeHead(status, { "content-type": "text/plain; charset=utf-8", "content-length": Buffer.byteLength(body), ...headers });
  res.end(body);
}

/**
 * Connection mode: the main thread hands this thread whole connections, and the thread runs
 * node's HTTP server on them itself: routing, node's limits and client errors, and the apps,
 * with no hop back to the main thread per request. At most `concurrency` requests run at
 * once; requests that arrive on this thread's connections beyond that wait here, within the
 * queue's capacity and timeout.
 */
export function serveConnections(port: MessagePort, data: WorkerData, serving: ConnectionServing, apps: readonly LoadedApp[]): void {
  const load = new ThreadLoad(serving.concurrency, serving.load);
  // How busy this thread is, for placement: measured here, where the event loop runs.
  const busy = new BusyMeter((utilization) => load.busyLately(utilization), BUSY_EVERY_MS);
  const table = mountTable(data.applications.map((app, index) => ({ ...app, index })));
  const owed = new OwedResponses();
  const budget = new ConnectionBudget<Duplex>();
  const freeSlots = Array.from({ length: serving.concurrency }, (_, i) => serving.concurrency - 1 - i);
  let closing = false;
  /** No connection comes any more: one whose response ends idle closes at once. */
  let lingered = false;
  /** Responses not yet closed: told to close their connection once the thread stops keeping them alive. */
  const open = new Set<ServerResponse>();
  let served = 0;
  const observed = new ObservationBatch(serving.accessLog);
  let reportTimer: NodeJS.Timeout | undefined;
  const post = (message: FromConnectionThread) => port.postMessage(message);

  const report = (call: number | undefined) => {
    clearTimeout(reportTimer);
    reportTimer = undefined;
    post({ t: "observed", call, observed: observed.take() });
  };
  const soonReport = () => {
    reportTimer ??= setTimeout(() => report(undefined), REPORT_EVERY_MS);
  };

  const queue = new WaitQueue<Exchange>({
    capacity: serving.queueCapacity,
    timeoutMs: serving.queueTimeoutMs,
    onTimeout: (waiting, waitedMs) => {
      load.queuedChanged(-1);
      observed.queueWait(waitedMs / 1000);
      answerPlain(waiting.res, 503, queueTimeoutAnswer(data.applicationGroup, waitedMs), { "retry-after": RETRY_AFTER_SECONDS });
    },
  });

  const server = nodeHttp.createServer({ ...serverOptionsOf(serving.http), IncomingMessage: MountedRequest, ServerResponse: ExchangeResponse });
  // The main thread's front accepted the connections, with node:net's options, not node:http's.
  const accepted = acceptOptionsOf(server);
  // node:http keeps its list of connections from "listening" on, and only a listed connection
  // has headersTimeout and requestTimeout checked and is closed by closeIdleConnections().
  // This server never listens: its connections are handed in.
  server.emit("listening");

  const startNext = () => {
    while (freeSlots.length > 0) {
      const next = queue.shift();
      if (next === undefined) return;
      load.queuedChanged(-1);
      observed.queueWait(next.waitedMs / 1000);
      run(next.item, freeSlots.pop()!);
    }
  };

  const admit = (exchange: Exchange) => {
    const slot = freeSlots.pop();
    if (slot !== undefined) return run(exchange, slot);
    if (!queue.push(exchange)) {
      return answerPlain(exchange.res, 503, backlogFullAnswer(data.applicationGroup, serving.queueCapacity), { "retry-after": RETRY_AFTER_SECONDS });
    }
    load.queuedChanged(1);
  };

  /** Frees the exchange's slot for the next request: its response ended, timed out, or its client left. */
  const end = (exchange: Exchange) => {
    if (exchange.slot === -1 || exchange.ended) return;
    exchange.ended = true;
    clearTimeout(exchange.timer);
    freeSlots.push(exchange.slot);
    served += 1;
    if (load.ended(exchange.slot, performance.now() - exchange.startedAt)) post({ t: "room" });
    if (serving.maximumRequests !== undefined && served === serving.maximumRequests) post({ t: "served-enough" });
    startNext();
  };

  const fail = (exchange: Exchange, error: unknown) => {
    const application = exchange.app!.base.application;
    post({ t: "app-failed", application, error: messageOf(error) });
    if (exchange.ended || exchange.res.writableEnded) return;
    answerPlain(exchange.res, 500, `application ${application} failed: ${messageOf(error).split("\n")[0] ?? ""}`);
  };

  const timedOut = (exchange: Exchange, timeoutMs: number) => {
    answerPlain(exchange.res, 504, `the request ran longer than the request timeout (${timeoutMs / 1000} s); its thread was replaced`, { connection: "close" });
    end(exchange);
    post({ t: "timed-out" });
  };

  const run = (exchange: Exchange, slot: number) => {
    const { req, res } = exchange;
    const app = exchange.app!;
    exchange.slot = slot;
    exchange.startedAt = performance.now();
    load.started(slot);
    const timeoutMs = serving.requestTimeoutMs;
    if (timeoutMs !== undefined) exchange.timer = setTimeout(timedOut, timeoutMs, exchange, timeoutMs);
    const { handler } = app;
    if (handler.kind === "listener") {
      // As an Express sub-app sees it: the URL below the mount, the rest kept aside.
      req.originalUrl = req.url;
      req.baseUrl = exchange.scriptName;
      if (exchange.scriptName !== "") req.url = exchange.pathInfo + exchange.query;
      try {
        const result = handler.listener(req, res);
        if (result instanceof Promise) result.catch((error: unknown) => fail(exchange, error));
      } catch (error) {
        fail(exchange, error);
      }
      return;
    }
    const aborter = new AbortController();
    exchange.aborter = aborter;
    void (async () => {
      try {
        const response: unknown = await handler.fetch(requestOfIncoming(req, aborter.signal), { ...app.base, pathInfo: exchange.pathInfo });
        if (!(response instanceof Response)) throw new TypeError(`the fetch handler of ${app.base.application} returned ${typeof response}, not a Response`);
        if (exchange.ended) return;
        await writeResponse(response, res);
      } catch (error) {
        if (!aborter.signal.aborted) fail(exchange, error);
      }
    })();
  };

  const closeIdle = () => server.closeIdleConnections();

  /** The response closed: answered, or its client left. Called once per exchange. */
  const closed = (exchange: Exchange) => {
    const { res, socket } = exchange;
    owed.paid(socket, res);
    open.delete(res);
    if (res.writableFinished) {
      observed.answered(exchange.application, res.statusCode, (performance.now() - exchange.arrived) / 1000, exchange.req);
      soonReport();
    } else {
      exchange.aborter?.abort();
      // A request whose client leaves while it waits is not run.
      if (exchange.slot === -1 && queue.remove(exchange)) load.queuedChanged(-1);
    }
    end(exchange);
    exchange.release?.();
    if (lingered) setImmediate(closeIdle);
  };
  // One function for every response: "close" listeners are called with the response as `this`.
  function onResponseClose(this: ExchangeResponse) {
    if (this.exchange !== undefined) closed(this.exchange);
  }

  server.on("request", (req: MountedRequest, res: ExchangeResponse) => {
    try {
      serveRequest(req, res);
    } finally {
      // Only now: the request counts as running (or waiting, or answered) already, so the
      // main thread never reads this thread as free in between and hands it a second connection.
      if (fresh.size > 0) firstRequestBegan(req.socket);
    }
  });

  const serveRequest = (req: MountedRequest, res: ExchangeResponse) => {
    const exchange = newExchange(req, res);
    owed.owe(exchange.socket, res);
    if (closing) res.shouldKeepAlive = false;
    open.add(res);
    res.on("close", onResponseClose);
    const target = safeTarget(req.url ?? "/");
    if (!target.ok) return answerPlain(res, 400, target.problem);
    // Routing and the app see one URL: the normalised one.
    if (req.url !== target.url) req.url = target.url;
    const match = table.match(target.path);
    if (!match) return answerPlain(res, 404, `no application is mounted at ${target.path}`);
    exchange.application = match.app.name;
    const problem = serving.problems[match.app.index];
    if (problem !== undefined) return answerPlain(res, 500, problem);
    exchange.app = apps[match.app.index]!;
    exchange.scriptName = match.scriptName;
    exchange.pathInfo = match.pathInfo;
    exchange.query = target.query;
    // A connection that pipelines many requests queues them behind its own, not in the thread's queue.
    exchange.release = budget.admit(exchange.socket, () => admit(exchange));
  };

  server.on("clientError", (error: NodeJS.ErrnoException, socket: Duplex) => {
    if (owed.failed(socket)) return;
    const status = statusOfClientError(error.code);
    observed.clientError(status);
    soonReport();
    if (error.code === "ECONNRESET" || !socket.writable) {
      socket.destroy();
      return;
    }
    owed.fail(socket, rawErrorResponse(status, nodeHttp.STATUS_CODES[status] ?? "Error"));
  });

  /** Sockets whose first request has not begun, with the timer that stops waiting for it. */
  const fresh = new Map<Duplex, NodeJS.Timeout>();
  const awaitFirstRequest = (socket: Duplex) => {
    fresh.set(socket, setTimeout(() => firstRequestBegan(socket), FRESH_MS));
  };
  const firstRequestBegan = (socket: Duplex) => {
    const timer = fresh.get(socket);
    if (timer === undefined) return;
    clearTimeout(timer);
    fresh.delete(socket);
    if (load.freshEnded()) post({ t: "room" });
  };

  const connectionClosed = () => {
    load.connectionsChanged(-1);
    // The main thread counts a connection in before handing it: 0 means none is on its way.
    if (load.connections === 0) busy.stop();
    if (lingered && load.connections === 0) post({ t: "connections-closed" });
  };

  port.on("message", (message: ToConnectionThread) => {
    switch (message.t) {
      case "connection": {
        busy.start();
        const socket: Socket = rewrapSocket(message.socket);
        applyAcceptOptions(socket, accepted);
        socket.once("close", () => {
          firstRequestBegan(socket);
          connectionClosed();
        });
        awaitFirstRequest(socket);
        server.emit("connection", socket);
        socket.resume();
        return;
      }
      case "stop-keep-alive":
        closing = true;
        for (const res of open) if (!res.headersSent) res.shouldKeepAlive = false;
        return;
      case "close-idle":
        closing = true;
        lingered = true;
        server.closeIdleConnections();
        if (load.connections === 0) post({ t: "connections-closed" });
        return;
      case "report":
        report(message.call);
        return;
    }
  });
}
