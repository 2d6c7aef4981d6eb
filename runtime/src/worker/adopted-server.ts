import type { Server as HttpServer } from "node:http";
import { nodeHttp } from "../http/node-http.ts";
import { Server as NetServer, type AddressInfo } from "node:net";

// An app written for `node server.js` builds an http.Server and calls listen(3000). In a
// worker thread the runtime owns the port, so listen() binds nothing: the server is adopted,
// told it listens, and the runtime hands it the requests of its mount (its "request" event).

type Listen = (this: NetServer, ...args: unknown[]) => NetServer;

/** The entry whose import (and the wait after it) listen() calls are attributed to. */
interface Adoption {
  readonly entry: string;
  server: HttpServer | undefined;
  error: Error | undefined;
  wake: (() => void) | undefined;
}

/** How long an entry that exports no handler has, after its import, to call listen(). */
export const ADOPTION_WAIT_SECONDS = 10;

let loading: Adoption | undefined;
let installed = false;
/** Every server adopted in this thread, so that a mirror of one is accepted whenever it comes. */
const adoptedServers: HttpServer[] = [];

/** The port a listen() call asked for, when it named one (reported back by address()). */
function requestedPort(args: readonly unknown[]): number {
  const first = args[0];
  const port = typeof first === "object" && first !== null ? (first as { port?: unknown }).port : first;
  const n = Number(port);
  return Number.isInteger(n) && n >= 0 && n <= 65535 ? n : 0;
}

function callbackOf(args: readonly unknown[]): (() => void) | undefined {
  const last = args.at(-1);
  return typeof last === "function" ? (last as () => void) : undefined;
}

/** Makes `server` behave as a listening server without a socket: address(), listening, close(). */
function pretendListening(server: NetServer, args: readonly unknown[]): void {
  const address: AddressInfo = { address: "0.0.0.0", family: "IPv4", port: requestedPort(args) };
  let open = true;
  Object.defineProperty(server, "listening", { configurable: true, get: () => open });
  Object.assign(server, {
    address: () => (open ? address : null),
    close(callback?: (error?: Error) => void) {
      open = false;
      process.nextTick(() => {
        server.emit("close");
        callback?.();
      });
      return server;
    },
  });
  const callback = callbackOf(args);
  if (callback) server.once("listening", callback);
  process.nextTick(() => server.emit("listening"));
}

/**
 * Fastify listening on "localhost" opens a second server with the same handler for the other
 * address family, after the first one listened (so possibly after the entry has loaded).
 */
function mirrors(server: NetServer, adopted: HttpServer): boolean {
  const handlers = adopted.listeners("request");
  return server !== adopted && handlers.length > 0 && server.listeners("request").some((h) => handlers.includes(h));
}

function refuse(adoption: Adoption | undefined, message: string): never {
  const error = new Error(message);
  if (adoption) {
    adoption.error ??= error;
    adoption.wake?.();
  }
  throw error;
}

function adoptingListen(this: NetServer, ...args: unknown[]): NetServer {
  const adoption = loading;
  const who = adoption?.entry ?? "an app";
  if (!(this instanceof nodeHttp.Server)) {
    refuse(adoption, `${who}: listen() on a raw net.Server (or an https/http2 server) is not supported on a ProcessGroup worker thread; only an http.Server is adopted and served on the group's port (TLS ends in front of the group, at the Ingress)`);
  }
  if (adoptedServers.some((adopted) => mirrors(this, adopted))) {
    pretendListening(this, args);
    return this;
  }
  if (adoption === undefined) {
    refuse(undefined, `${who}: listen() was called after the app loaded; the runtime adopts a server only while its entry loads (at import, or in the ${ADOPTION_WAIT_SECONDS} s after)`);
  }
  if (adoption.server === this) refuse(adoption, `${who}: listen() was called twice on the same server; an entry listens once`);
  if (adoption.server !== undefined) {
    refuse(adoption, `${who}: a second server called listen(); an entry serves one http.Server, adopted on the group's port and mount (serve the second app as an application of its own)`);
  }
  adoption.server = this;
  adoptedServers.push(this);
  pretendListening(this, args);
  adoption.wake?.();
  return this;
}

/** Replaces listen() on every net.Server (http.Server included) of this thread, once. */
export function installServerAdoption(): void {
  if (installed) return;
  installed = true;
  (NetServer.prototype as { listen: Listen }).listen = adoptingListen;
}

export interface PendingAdoption {
  /** The server the entry listened on, waiting up to `ms` for it; undefined if none came. */
  server(ms: number): Promise<HttpServer | undefined>;
  /** A refused listen() (a second server, a raw net server), which fails the load. */
  readonly error: Error | undefined;
  /** Ends the attribution: a later listen() is refused. */
  end(): void;
}

/** Attributes the listen() calls from now on to `entry`, until end(). Entries load one at a time. */
export function beginAdoption(entry: string): PendingAdoption {
  const adoption: Adoption = { entry, server: undefined, error: undefined, wake: undefined };
  loading = adoption;
  return {
    server(ms) {
      if (adoption.server !== undefined || adoption.error !== undefined) return Promise.resolve(adoption.server);
      return new Promise((resolve) => {
        const timer = setTimeout(() => resolve(adoption.server), ms);
        adoption.wake = () => {
          clearTimeout(timer);
          resolve(adoption.server);
        };
      });
    },
    get error() {
      return adoption.error;
    },
    end() {
      if (loading === adoption) loading = undefined;
    },
  };
}
