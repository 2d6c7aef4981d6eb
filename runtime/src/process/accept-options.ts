import type { Server, Socket } from "node:net";

/** A net.Server's per-connection options as node:net keeps them on it (fields its types do not list). */
interface AcceptingServer {
  readonly noDelay: boolean;
  readonly keepAlive: boolean;
  /** In seconds: node:net divides the option's milliseconds by 1000 when it stores them. */
  readonly keepAliveInitialDelay: number;
}

/** The socket options node:net's accept gives every connection of a server, in the units Socket's setters take. */
export interface AcceptOptions {
  readonly noDelay: boolean;
  /** TCP keep-alive's initial delay in milliseconds, or false when it is off. */
  readonly keepAliveDelayMs: number | false;
}

export function acceptOptionsOf(server: Server): AcceptOptions {
  const accepting = server as unknown as AcceptingServer;
  return {
    noDelay: accepting.noDelay,
    keepAliveDelayMs: accepting.keepAlive ? accepting.keepAliveInitialDelay * 1000 : false,
  };
}

/**
 * Gives a connection that `server` did not accept itself (another process or thread did) the
 * options its own accept would have. node:net sets them in `onconnection` only, so a socket
 * handed in by `emit("connection")` keeps the accepting server's, and a net.Server's
 * `noDelay` is false where node:http's is true. With Nagle's algorithm on, the second small
 * write of a response waits for the client's delayed ACK: a response written in pieces over a
 * keep-alive connection took 44 ms instead of 2.3 (docs/performance.md).
 */
export function applyAcceptOptions(socket: Socket, options: AcceptOptions): void {
  if (options.noDelay) socket.setNoDelay(true);
  if (options.keepAliveDelayMs !== false) socket.setKeepAlive(true, options.keepAliveDelayMs);
}
