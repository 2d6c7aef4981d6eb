import type { IncomingMessage, ServerResponse } from "node:http";
import { Readable } from "node:stream";
import { headerListOf } from "./response-head.ts";

/** A fetch Request for a node request; the URL is the one the client asked for, mount included. */
export function requestOfIncoming(req: IncomingMessage, signal: AbortSignal): Request {
  const headers = new Headers();
  const raw = req.rawHeaders;
  for (let i = 0; i + 1 < raw.length; i += 2) headers.append(raw[i]!, raw[i + 1]!);
  const method = req.method ?? "GET";
  const init: RequestInit & { duplex?: "half" } = { method, headers, signal };
  if (method !== "GET" && method !== "HEAD" && (req.headers["content-length"] !== undefined || req.headers["transfer-encoding"] !== undefined)) {
    init.body = Readable.toWeb(req) as ReadableStream<Uint8Array>;
    init.duplex = "half";
  }
  return new Request(`http://${req.headers.host ?? "localhost"}${req.url ?? "/"}`, init);
}

function mayCarryBody(method: string | undefined, status: number): boolean {
  return method !== "HEAD" && status !== 204 && status !== 304 && status >= 200;
}

/** Resolves on the next turn of the event loop: what a stream yields before then came "at once". */
function nextTurn(): Promise<"later"> {
  return new Promise((resolve) => setImmediate(resolve, "later"));
}

/**
 * Writes a fetch Response to a node response. A body that is complete within the turn it
 * started in (the usual small answer) goes out with a Content-Length in one write; a body
 * that pauses (a stream, server-sent events) is sent as it comes, chunked.
 */
export async function writeResponse(response: Response, res: ServerResponse): Promise<void> {
  const headers = headerListOf(response.headers);
  const method = res.req.method;
  const body = response.body;
  if (body === null || !mayCarryBody(method, response.status)) {
    if (body !== null) await body.cancel();
    res.writeHead(response.status, headers);
    res.end();
    return;
  }
  const reader = body.getReader();
  const chunks: Uint8Array[] = [];
  let pending: ReturnType<typeof reader.read> | undefined = reader.read();
  const first = await pending;
  pending = undefined;
  if (!first.done) {
    chunks.push(first.value);
    pending = reader.read();
    while (pending !== undefined) {
      const next: Awaited<typeof pending> | "later" = await Promise.race([pending, nextTurn()]);
      if (next === "later") break;
      pending = next.done ? undefined : reader.read();
      if (!next.done) chunks.push(next.value);
    }
  }
  if (pending === undefined) {
    if (!headers.some((name, i) => i % 2 === 0 && name === "content-length")) {
      headers.push("content-length", String(chunks.reduce((n, c) => n + c.byteLength, 0)));
    }
    res.writeHead(response.status, headers);
    if (chunks.length === 1) res.end(chunks[0]);
    else {
      for (const chunk of chunks) res.write(chunk);
      res.end();
    }
    return;
  }
  // The body pauses: the head and what came so far go now, the rest as it comes.
  res.writeHead(response.status, headers);
  for (const chunk of chunks) res.write(chunk);
  for (let next = await pending; !next.done; next = await reader.read()) {
    if (res.destroyed) {
      await reader.cancel();
      return;
    }
    if (!res.write(next.value)) await new Promise((resolve) => {
      res.once("drain", resolve);
      res.once("close", resolve);
    });
  }
  res.end();
}
