import type { IncomingMessage, ServerResponse } from "node:http";
import type { Logger } from "pino";
import { byteLengthOf, chunkOf, transfersOf } from "../threads/body-chunk.ts";
import type { BodyChunk, RequestHead, ToWorker } from "../threads/protocol.ts";
import type { Job, ResponseMessage } from "../threads/thread-pool.ts";

export interface ExchangeContext {
  readonly application: string;
  readonly appIndex: number;
  readonly scriptName: string;
  readonly pathInfo: string;
  readonly query: string;
  readonly log: Logger;
  /** Called once, when the response is complete or cut. */
  readonly answered: (status: number) => void;
  /** True once the process drains: responses close their connection. */
  readonly closing: () => boolean;
}

/** True when no body follows the head (no Content-Length > 0 and no Transfer-Encoding). */
function hasNoBody(req: IncomingMessage): boolean {
  const length = req.headers["content-length"];
  return req.headers["transfer-encoding"] === undefined && (length === undefined || Number(length) === 0);
}

/**
 * Body bytes sent to the thread and not yet read by the app, beyond which the front stops
 * reading from the client (TCP then holds the rest back): an app that reads slowly, or not
 * at all, never makes the process hold more of a body than this.
 */
const BODY_WINDOW_BYTES = 1024 * 1024;

/** nginx's status for a request whose client left before the answer: logged, never sent. */
const CLIENT_CLOSED_REQUEST = 499;

function mayCarryBody(method: string | undefined, status: number): boolean {
  return method !== "HEAD" && status !== 204 && status !== 304 && status >= 200;
}

function hasHeader(list: readonly string[], lowerName: string): boolean {
  for (let i = 0; i < list.length; i += 2) if (list[i]!.toLowerCase() === lowerName) return true;
  return false;
}

/** A chunk as res.write takes it (with "latin1", text is written as the bytes it stands for). */
function writable(chunk: BodyChunk): string | Uint8Array {
  return typeof chunk === "string" ? chunk : new Uint8Array(chunk);
}

/**
 * One client request from the front to a worker thread and back: the Job a ThreadPool runs.
 * Every path ends in exactly one answer (or a cut connection once a response has started).
 */
export class HttpExchange implements Job {
  readonly app: number;
  readonly bodyless: boolean;
  readonly #req: IncomingMessage;
  readonly #res: ServerResponse;
  readonly #context: ExchangeContext;
  #send: ((message: ToWorker, transfer?: ArrayBuffer[]) => void) | undefined;
  #id = 0;
  #done = false;
  #bodyUnread = 0;

  constructor(req: IncomingMessage, res: ServerResponse, context: ExchangeContext) {
    this.#req = req;
    this.#res = res;
    this.#context = context;
    this.app = context.appIndex;
    this.bodyless = hasNoBody(req);
  }

  /** The client went away before the response ended. */
  get abandoned(): boolean {
    return !this.#done && (this.#res.destroyed || this.#req.destroyed) && !this.#res.writableFinished;
  }

  start(id: number, send: (message: ToWorker, transfer?: ArrayBuffer[]) => void): void {
    this.#id = id;
    this.#send = send;
    const req = this.#req;
    const complete = this.bodyless;
    const head: RequestHead = {
      t: "request",
      id,
      app: this.app,
      method: req.method ?? "GET",
      url: req.url ?? "/",
      scriptName: this.#context.scriptName,
      pathInfo: this.#context.pathInfo,
      query: this.#context.query,
      rawHeaders: req.rawHeaders,
      httpVersion: req.httpVersion,
      remoteAddress: req.socket.remoteAddress ?? "",
      remotePort: req.socket.remotePort ?? 0,
      host: req.headers.host ?? "localhost",
      complete,
    };
    send(head);
    if (complete) return;
    // The body flows only now: while the request waited for a thread, TCP held it back.
    req.on("data", (bytes: Buffer) => {
      const chunk = chunkOf(bytes);
      send({ t: "body", id, chunk }, transfersOf([chunk]));
      this.#bodyUnread += bytes.byteLength;
      if (this.#bodyUnread >= BODY_WINDOW_BYTES) req.pause();
    });
    req.on("end", () => send({ t: "end", id }));
  }

  /** Tells the thread its client is gone (it may stop early); the response is discarded. */
  abort(): void {
    this.#send?.({ t: "abort", id: this.#id });
  }

  bodyRead(bytes: number): void {
    this.#bodyUnread -= bytes;
    if (this.#bodyUnread < BODY_WINDOW_BYTES && !this.#done && this.#req.isPaused()) this.#req.resume();
  }

  receive(message: ResponseMessage): boolean {
    const res = this.#res;
    switch (message.t) {
      case "failed":
        if (res.destroyed) {
          this.#finish(CLIENT_CLOSED_REQUEST);
          return true;
        }
        this.#context.log.error({ application: this.#context.application, error: message.message }, "the application failed");
        this.fail(500, `application ${this.#context.application} failed: ${message.message.split("\n")[0] ?? ""}`);
        return true;
      case "head": {
        const headers = [...message.headers];
        if (message.end && mayCarryBody(res.req.method, message.status) && !hasHeader(headers, "content-length")) {
          headers.push("content-length", String(byteLengthOf(message.chunks)));
        }
        if (this.#context.closing()) headers.push("connection", "close");
        try {
          res.writeHead(message.status, headers);
        } catch (error) {
          this.#context.log.error({ application: this.#context.application, error: String(error) }, "the application sent an invalid response head");
          this.fail(500, `application ${this.#context.application} sent an invalid response head: ${(error as Error).message}`);
          return true;
        }
        return this.#body(message.chunks, message.end, message.status);
      }
      case "chunk":
        return this.#body(message.chunks, message.end, res.statusCode);
    }
  }

  fail(status: number, message: string, headers: Readonly<Record<string, string>> = {}): void {
    if (this.#done) return;
    const res = this.#res;
    if (res.destroyed) {
      this.#finish(CLIENT_CLOSED_REQUEST);
      return;
    }
    if (res.headersSent) {
      // Too late for a status: cutting the connection is the only way to say it failed.
      this.#finish(status);
      res.destroy();
      return;
    }
    const body = `${message}\n`;
    const closing = this.#context.closing() ? { connection: "close" } : {};
    res.writeHead(status, { "content-type": "text/plain; charset=utf-8", "content-length": Buffer.byteLength(body), ...closing, ...headers });
    res.end(body);
    this.#finish(status);
    this.#stopReadingBody();
  }

  #body(chunks: readonly BodyChunk[], end: boolean, status: number): boolean {
    const last = end ? chunks.length - 1 : chunks.length;
    for (let i = 0; i < last; i++) this.#res.write(writable(chunks[i]!), "latin1");
    if (!end) return false;
    // The last chunk goes with end(): head, body and end leave in one write.
    if (last >= 0) this.#res.end(writable(chunks[last]!), "latin1");
    else this.#res.end();
    this.#finish(status);
    this.#stopReadingBody();
    return true;
  }

  #finish(status: number): void {
    if (this.#done) return;
    this.#done = true;
    this.#context.answered(status);
  }

  /** A body the app never read is drained so the connection can carry the next request. */
  #stopReadingBody(): void {
    const req = this.#req;
    if (!req.complete) {
      req.removeAllListeners("data");
      req.resume();
    }
  }
}
