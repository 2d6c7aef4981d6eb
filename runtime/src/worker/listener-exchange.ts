import type { IncomingMessage, ServerResponse } from "node:http";
import { nodeHttp } from "../http/node-http.ts";
import { Writable } from "node:stream";
import type { RequestHead } from "../threads/protocol.ts";
import { ChunkedDecoder } from "./chunked-decoder.ts";
import type { ResponseChannel } from "./response-channel.ts";
import { parseResponseHead } from "./response-head.ts";

const HEAD_END = "\r\n\r\n";
const NOT_ASCII = /[^\x00-\x7f]/;

/**
 * Written text as latin1 (one character a byte) when that needs no encoding: latin1 text, or
 * utf8 text that is all ASCII (the same bytes); else undefined.
 */
function latin1Of(chunk: string, encoding: BufferEncoding): string | undefined {
  if (encoding === "latin1" || encoding === "binary") return chunk;
  if ((encoding === "utf8" || encoding === "utf-8") && !NOT_ASCII.test(chunk)) return chunk;
  return undefined;
}

/**
 * The socket a listener's ServerResponse writes to: it reads back the head node wrote and
 * passes the body on. Real IncomingMessage/ServerResponse objects (not look-alikes) are used
 * because Express re-parents them onto its own prototypes, which inherit from node's.
 */
class CapturingSocket extends Writable {
  readonly remoteAddress: string;
  readonly remotePort: number;
  readonly remoteFamily: string;
  readonly encrypted = false;
  readonly #out: ResponseChannel;
  #head = "";
  #headDone = false;
  #decoder: ChunkedDecoder | undefined;

  constructor(out: ResponseChannel, remoteAddress: string, remotePort: number) {
    // Strings reach _write as node wrote them: the head (and a small body node joins to it)
    // then crosses to the main thread as the latin1 text it already is, instead of being
    // encoded to a Buffer here and decoded back to text twice more.
    super({ decodeStrings: false });
    this.#out = out;
    this.remoteAddress = remoteAddress;
    this.remotePort = remotePort;
    this.remoteFamily = remoteAddress.includes(":") ? "IPv6" : "IPv4";
  }

  override _write(chunk: Buffer | string, encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    this.#take(chunk, encoding);
    callback();
  }

  override _writev(chunks: { chunk: Buffer | string; encoding: BufferEncoding }[], callback: (error?: Error | null) => void): void {
    for (const { chunk, encoding } of chunks) this.#take(chunk, encoding);
    callback();
  }

  #take(chunk: Buffer | string, encoding: BufferEncoding): void {
    if (typeof chunk === "string") {
      const text = latin1Of(chunk, encoding);
      if (text === undefined) return this.#take(Buffer.from(chunk, encoding), encoding);
      if (this.#headDone) return this.#bodyText(text);
      return this.#headText(text);
    }
    // A Buffer after the head moves as it is (a large one is transferred, not copied to text).
    if (this.#headDone) return this.#bodyBytes(chunk);
    this.#headText(chunk.toString("latin1"));
  }

  #headText(text: string): void {
    this.#head += text;
    const end = this.#head.indexOf(HEAD_END);
    if (end === -1) return;
    const head = parseResponseHead(this.#head.slice(0, end));
    const rest = this.#head.slice(end + HEAD_END.length);
    this.#headDone = true;
    this.#head = "";
    if (head.chunked) this.#decoder = new ChunkedDecoder();
    this.#out.head(head.status, head.headers);
    this.#bodyText(rest);
  }

  /** `text` is latin1: one character a byte. */
  #bodyText(text: string): void {
    if (this.#decoder) this.#bodyBytes(Buffer.from(text, "latin1"));
    else this.#out.writeLatin1(text);
  }

  #bodyBytes(chunk: Uint8Array): void {
    if (this.#decoder) for (const part of this.#decoder.push(chunk)) this.#out.write(part);
    else this.#out.write(chunk);
  }

  // on-finished (Express's body parsers) takes a socket that is not readable for a request
  // whose body is over, and node's IncomingMessage resumes a readable one as it is read.
  readonly readable = true;
  pause(): this {
    return this;
  }
  resume(): this {
    return this;
  }

  // What frameworks call on req.socket; there is no real socket to tune here.
  setTimeout(): this {
    return this;
  }
  setNoDelay(): this {
    return this;
  }
  setKeepAlive(): this {
    return this;
  }
  address(): { address: string; port: number; family: string } {
    return { address: "127.0.0.1", port: 0, family: "IPv4" };
  }
}

export interface ListenerExchange {
  readonly req: IncomingMessage;
  readonly res: ServerResponse;
}

/**
 * A node request/response pair for one forwarded request. `req.url` is relative to the mount,
 * as an Express sub-app sees it; `req.originalUrl` and `req.baseUrl` keep the rest.
 */
export function listenerExchange(head: RequestHead, out: ResponseChannel): ListenerExchange {
  const socket = new CapturingSocket(out, head.remoteAddress, head.remotePort);
  const req = new nodeHttp.IncomingMessage(socket as never);
  req.method = head.method;
  req.url = head.pathInfo + head.query;
  req.httpVersion = head.httpVersion;
  const [major, minor] = head.httpVersion.split(".").map(Number);
  req.httpVersionMajor = major ?? 1;
  req.httpVersionMinor = minor ?? 1;
  // Node's own parser fills headers this way (lower-cased, duplicates joined as node joins them).
  (req as unknown as { _addHeaderLines(raw: readonly string[], n: number): void })._addHeaderLines(head.rawHeaders, head.rawHeaders.length);
  Object.assign(req, { originalUrl: head.url, baseUrl: head.scriptName });
  if (head.complete) {
    req.push(null);
    req.complete = true;
  }
  const res = new nodeHttp.ServerResponse(req);
  // The front decides framing and keep-alive with the real client; here the body stays plain.
  res.useChunkedEncodingByDefault = false;
  res.sendDate = false;
  res.shouldKeepAlive = false;
  res.assignSocket(socket as never);
  res.on("finish", () => out.end());
  return { req, res };
}
