import type { Socket } from "node:net";
import { nodeHttp } from "../http/node-http.ts";
import type { LoadedApp } from "./load-apps.ts";

/**
 * One request of a connection-mode thread, from its arrival to its response's close: one
 * record and one "close" listener shared by all requests, instead of a closure and a
 * listener for each concern. At tens of thousands of requests a second, each allocation on
 * this path shows in the thread's CPU and in the garbage collector's.
 */
export interface Exchange {
  readonly req: MountedRequest;
  readonly res: ExchangeResponse;
  readonly socket: Socket;
  readonly arrived: number;
  /** The application it was routed to ("(none)" until routed). */
  application: string;
  app: LoadedApp | undefined;
  scriptName: string;
  pathInfo: string;
  query: string;
  /** The slot it runs in; -1 until it runs. */
  slot: number;
  /** When it began to run (performance.now()). */
  startedAt: number;
  /** True once its slot was freed (answered, timed out, or its client left). */
  ended: boolean;
  timer: NodeJS.Timeout | undefined;
  /** Frees its place among its connection's requests (ConnectionBudget). */
  release: (() => void) | undefined;
  /** Aborts a fetch app's Request, when its client leaves before the response ends. */
  aborter: AbortController | undefined;
}

/**
 * The request object of the thread's server: the two fields an Express sub-app reads are
 * there from the start, so setting them per request does not change the object's shape.
 */
export class MountedRequest extends nodeHttp.IncomingMessage {
  originalUrl: string | undefined = undefined;
  baseUrl = "";
}

/** The response object of the thread's server, which knows its exchange. */
export class ExchangeResponse extends nodeHttp.ServerResponse<MountedRequest> {
  exchange: Exchange | undefined = undefined;
}

export function newExchange(req: MountedRequest, res: ExchangeResponse): Exchange {
  const exchange: Exchange = {
    req,
    res,
    socket: req.socket,
    arrived: performance.now(),
    application: "(none)",
    app: undefined,
    scriptName: "",
    pathInfo: "",
    query: "",
    slot: -1,
    startedAt: 0,
    ended: false,
    timer: undefined,
    release: undefined,
    aborter: undefined,
  };
  res.exchange = exchange;
  return exchange;
}
