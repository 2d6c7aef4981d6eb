import type { MessagePort } from "node:worker_threads";
import { bytesOf } from "../threads/body-chunk.ts";
import type { RequestHead, ToWorker } from "../threads/protocol.ts";
import type { AppEnv } from "./app-env.ts";
import type { AppHandler } from "./app-handler.ts";
import { listenerExchange } from "./listener-exchange.ts";
import { messageOf, type LoadedApp } from "./load-apps.ts";
import { headerListOf } from "./response-head.ts";
import { ResponseChannel } from "./response-channel.ts";
import { pulledBody, reportReads, type BodySink } from "./request-body.ts";
import type { SharedClient } from "./shared-client.ts";

type FetchHandler = Extract<AppHandler, { kind: "fetch" }>["fetch"];
type Listener = Extract<AppHandler, { kind: "listener" }>["listener"];

function requestOf(head: RequestHead, body: ReadableStream<Uint8Array> | null, signal: AbortSignal): Request {
  const headers = new Headers();
  for (let i = 0; i + 1 < head.rawHeaders.length; i += 2) headers.append(head.rawHeaders[i]!, head.rawHeaders[i + 1]!);
  // The URL is the one the client asked for, mount included; env.mount and env.pathInfo split it.
  const init: RequestInit & { duplex?: "half" } = { method: head.method, headers, body, signal };
  if (body) init.duplex = "half";
  return new Request(`http://${head.host}${head.url}`, init);
}

function serveFetch(fetch: FetchHandler, env: AppEnv, head: RequestHead, out: ResponseChannel, read: (bytes: number) => void): BodySink {
  const aborter = new AbortController();
  const body = head.complete ? undefined : pulledBody(read);
  void (async () => {
    try {
      const response: unknown = await fetch(requestOf(head, body?.stream ?? null, aborter.signal), env);
      if (!(response instanceof Response)) throw new TypeError(`the fetch handler of ${env.application} returned ${typeof response}, not a Response`);
      out.head(response.status, headerListOf(response.headers));
      if (response.body && head.method !== "HEAD") for await (const chunk of response.body) out.write(chunk);
      out.end();
    } catch (error) {
      out.fail(messageOf(error));
    }
  })();
  return {
    push: (chunk) => body?.feed.push(chunk),
    end: () => body?.feed.end(),
    abort: () => {
      aborter.abort();
      body?.feed.fail(new Error("the client closed the request"));
    },
  };
}

function serveListener(listener: Listener, head: RequestHead, out: ResponseChannel, read: (bytes: number) => void): BodySink {
  const { req, res } = listenerExchange(head, out);
  const push = reportReads(req, read);
  try {
    const result = listener(req, res);
    if (result instanceof Promise) result.catch((error: unknown) => out.fail(messageOf(error)));
  } catch (error) {
    out.fail(messageOf(error));
  }
  return {
    push,
    end: () => {
      req.complete = true;
      req.push(null);
    },
    abort: () => {
      req.destroy();
      res.destroy();
    },
  };
}

/**
 * Serves the requests the main thread forwards one by one (request dispatch: a process with
 * several application groups routes each request to its group's threads).
 */
export function serveForwarded(port: MessagePort, apps: readonly LoadedApp[], shared: SharedClient): void {
  // One request at a time: a thread is busy until its response ends, like a mod_wsgi thread.
  // Under load the main thread may hand over the next request early (`waiting`); it starts
  // the moment the current one ends, without the thread going to sleep in between.
  let current: { readonly id: number; readonly sink: BodySink; readonly out: ResponseChannel } | undefined;
  let waiting: RequestHead | undefined;
  const sinkOf = (id: number) => (current?.id === id ? current.sink : undefined);
  const start = (head: RequestHead) => {
    const app = apps[head.app];
    if (app === undefined) return;
    const out = new ResponseChannel(port, head.id, () => {
      const next = waiting;
      waiting = undefined;
      if (next) start(next);
    });
    const { handler } = app;
    const read = (bytes: number) => port.postMessage({ t: "body-read", id: head.id, bytes });
    const sink =
      handler.kind === "fetch"
        ? serveFetch(handler.fetch, { ...app.base, pathInfo: head.pathInfo }, head, out, read)
        : serveListener(handler.listener, head, out, read);
    current = { id: head.id, sink, out };
  };
  port.on("message", (message: ToWorker) => {
    switch (message.t) {
      case "request":
        if (current && !current.out.ended) waiting = message;
        else start(message);
        return;
      case "recall": {
        const ok = waiting?.id === message.id;
        if (ok) waiting = undefined;
        port.postMessage({ t: "recalled", id: message.id, ok });
        return;
      }
      case "body":
        sinkOf(message.id)?.push(bytesOf(message.chunk));
        return;
      case "end":
        sinkOf(message.id)?.end();
        return;
      case "abort":
        // The thread is free again at once: whatever the app still does is answered to no one.
        if (current?.id !== message.id) return;
        current.sink.abort();
        current.out.fail("the client closed the request");
        return;
      case "shared-result":
        shared.settle(message.call, message.ok, message.value);
        return;
    }
  });
}
