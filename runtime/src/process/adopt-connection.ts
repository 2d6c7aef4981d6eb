import type { Server, Socket } from "node:net";
import { acceptOptionsOf, applyAcceptOptions } from "./accept-options.ts";
import { socketOnHandle, type ConnectionHandle } from "./connection-handle.ts";

/** A net.Server's options as node:net keeps them on it and reads them when it accepts (fields its types do not list). */
interface AcceptingServer {
  readonly allowHalfOpen: boolean;
  readonly pauseOnConnect: boolean;
  /** How many connections the server counts open: close(callback) waits for it to reach 0. */
  _connections: number;
}

/** What node:net sets on a socket it accepted: the server it counts against. */
interface AcceptedSocket {
  server: Server;
  _server: Server;
}

/**
 * Serves a connection another process accepted (`serve`'s supervisor deals them) as if
 * `server` had accepted it: what node:net's own accept does, the socket options and the count
 * that makes `server.close(callback)` wait for the connection, then the "connection" event.
 * `server` need not listen.
 */
export function adoptConnection(server: Server, handle: ConnectionHandle): Socket {
  const accepting = server as unknown as AcceptingServer;
  const socket = socketOnHandle({ handle, allowHalfOpen: accepting.allowHalfOpen, pauseOnCreate: accepting.pauseOnConnect, readable: true, writable: true });
  applyAcceptOptions(socket, acceptOptionsOf(server));
  accepting._connections += 1;
  const accepted = socket as unknown as AcceptedSocket;
  accepted.server = server;
  accepted._server = server;
  server.emit("connection", socket);
  return socket;
}
