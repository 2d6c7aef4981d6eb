import { getPriority, setPriority } from "node:os";
import { pathToFileURL } from "node:url";
import { parentPort, threadId, workerData, type MessagePort } from "node:worker_threads";
import { bytesOf } from "../threads/body-chunk.ts";
import type { RequestHead, ToWorker, WorkerData } from "../threads/protocol.ts";
import type { AppEnv } from "./app-env.ts";
import type { AppHandler } from "./app-handler.ts";
import { loadApp } from "./app-loader.ts";
import { loadErrorMessage } from "./load-error.ts";
import { prepareRealm } from "./realm.ts";
import { headerListOf } from "./response-head.ts";
import { ResponseChannel } from "./response-channel.ts";
import { listenerExchange } from "./listener-exchange.ts";
import { pulledBody, reportReads, type BodySink } from "./request-body.ts";
import { sharedClient, type SharedClient } from "./shared-client.ts";

// One worker thread: a realm of its own that imports its application group's modules once
// (so the group's apps share module state here) and serves one request at a time.

interface LoadedApp {
  readonly handler: AppHandler;
  readonly base: Omit<AppEnv, "pathInfo">;
}

async function load(data: WorkerData, shared: SharedClient): Promise<LoadedApp[]> {
  prepareRealm(data, shared.api);
  for (const module of data.preload) await import(pathToFileURL(module).href);
  const apps: LoadedApp[] = [];
  for (const app of data.applications) {
    apps.push({
      handler: await loadApp(app.entry),
      base: {
        processGroup: data.processGroup,
        applicationGroup: data.applicationGroup,
        application: app.name,
        mount: app.mount,
        multiprocess: data.multiprocess,
        multithread: data.multithread,
        threads: data.threads,
        concurrency: data.concurrency,
        threadId,
        pid: process.pid,
        shared: shared.api,
      },
    });
  }
  return apps;
}

function messageOf(error: unknown): string {
  return error instanceof Error ? (error.stack ?? error.message) : String(error);
}

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

async function main(port: MessagePort, data: WorkerData): Promise<void> {
  const shared = sharedClient(port);
  let apps: LoadedApp[];
  try {
    apps = await load(data, shared);
  } catch (error) {
    port.postMessage({ t: "load-failed", message: loadErrorMessage(error) });
    return;
  }
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
  port.postMessage({ t: "ready" });
}

/**
 * How much nicer than the main thread a worker thread runs. The main thread parses and writes
 * every request of the process; when a worker woken by a request preempts it (two cores, 15
 * threads), every other request waits. With the workers niced the main thread keeps its core
 * and the workers use what it leaves, which measured as about 1.5x the hello-world throughput
 * (docs/performance.md); with idle cores to spare (CPU-bound apps) it changes nothing.
 */
const WORKER_NICENESS = 10;

// Linux keeps a nice value per thread, so this lowers this thread alone; elsewhere (macOS)
// it would lower the whole process, so it is left alone.
if (process.platform === "linux") {
  try {
    setPriority(0, Math.min(19, getPriority(0) + WORKER_NICENESS));
  } catch {
    // A sandbox that forbids it only costs throughput.
  }
}

if (parentPort) await main(parentPort, workerData as WorkerData);
