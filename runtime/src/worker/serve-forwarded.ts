import { workerData, type MessagePort } from "node:worker_threads";
import { bytesOf } from "../threads/body-chunk.ts";
import { ClaimSlot } from "../threads/claim-slot.ts";
import type { FromWorker, RequestHead, ToWorker, WorkerData } from "../threads/protocol.ts";
import type { AppEnv } from "./app-env.ts";
import type { AppHandler } from "./app-handler.ts";
import { listenerExchange } from "./listener-exchange.ts";
import { messageOf, type LoadedApp } from "./load-apps.ts";
import { headerListOf } from "./response-head.ts";
import { ResponseChannel } from "./response-channel.ts";
import { pulledBody, reportReads, type BodySink } from "./request-body.ts";

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
 * Serves the requests the main thread forwards (request dispatch: a process with several
 * application groups routes each request to its group's threads), up to `concurrency` at
 * once. While the thread is full the main thread may send one more ahead of time (`held`):
 * it starts the moment a request ends, without the thread going to sleep in between, if the
 * thread wins its ClaimSlot; the main thread may have taken it back meanwhile, and then it
 * is dropped unseen.
 */
export function serveForwarded(port: MessagePort, apps: readonly LoadedApp[]): void {
  const dispatch = (workerData as Partial<WorkerData> | null)?.dispatch;
  const claims = dispatch === undefined ? undefined : new ClaimSlot(dispatch.claim);
  const concurrency = dispatch?.concurrency ?? 1;
  const running = new Map<number, { readonly sink: BodySink; readonly out: ResponseChannel }>();
  let held: RequestHead | undefined;
  let heldToken = 0;
  /** The held request this thread won, to start once the request that made room has left. */
  let claimed: RequestHead | undefined;
  const claimHeld = (ending: number) => {
    if (held === undefined || running.size - ending >= concurrency) return;
    const next = held;
    held = undefined;
    if (claims?.claim(heldToken)) claimed = next;
  };
  const startClaimed = () => {
    const next = claimed;
    claimed = undefined;
    if (next) start(next);
  };
  // Claim before the end of a response leaves: once the main thread has read that end it
  // takes back a held request the thread has not claimed, and a worker is often preempted
  // right after the post that woke the main thread.
  const responses: Pick<MessagePort, "postMessage"> = {
    postMessage(message: FromWorker, transfer?: Parameters<MessagePort["postMessage"]>[1]) {
      if (message.t === "failed" || ((message.t === "head" || message.t === "chunk") && message.end)) claimHeld(1);
      if (transfer === undefined) port.postMessage(message);
      else port.postMessage(message, transfer);
    },
  };
  const start = (head: RequestHead) => {
    const app = apps[head.app];
    if (app === undefined) return;
    const out = new ResponseChannel(responses, head.id, () => {
      running.delete(head.id);
      claimHeld(0);
      startClaimed();
    });
    const { handler } = app;
    const read = (bytes: number) => port.postMessage({ t: "body-read", id: head.id, bytes });
    const sink =
      handler.kind === "fetch"
        ? serveFetch(handler.fetch, { ...app.base, pathInfo: head.pathInfo }, head, out, read)
        : serveListener(handler.listener, head, out, read);
    // The channel's onEnd runs in a later microtask, so even an app that answers at once is here first.
    running.set(head.id, { sink, out });
  };
  port.on("message", (message: ToWorker) => {
    switch (message.t) {
      case "request":
        if (message.held === undefined) return start(message);
        // One at most: a newer one means the older was taken back or claimed already.
        held = message;
        heldToken = message.held;
        claimHeld(0);
        startClaimed();
        return;
      case "body":
        running.get(message.id)?.sink.push(bytesOf(message.chunk));
        return;
      case "end":
        running.get(message.id)?.sink.end();
        return;
      case "abort": {
        // The room is free again at once: whatever the app still does is answered to no one.
        const request = running.get(message.id);
        if (request === undefined) return;
        request.sink.abort();
        request.out.fail("the client closed the request");
        return;
      }
    }
  });
}
