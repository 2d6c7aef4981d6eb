import { Socket, type SocketConstructorOpts } from "node:net";

/** What rewrapping reads of a socket that arrived by postMessage; node:net keeps these off its types. */
interface TransferredSocket {
  _handle: object | null;
  readonly allowHalfOpen: boolean;
}

/**
 * node:net's options for wrapping a handle it did not open, as node:child_process uses them.
 * Its types know `handle` only as a BoundSocket; a transferred TCP handle is taken the same way.
 */
interface HandleOptions extends Omit<SocketConstructorOpts, "handle"> {
  readonly handle: object;
  /** Do not start reading: the caller resumes once node:http listens to the socket. */
  readonly pauseOnCreate: true;
}

const SocketOnHandle = Socket as unknown as new (options: HandleOptions) => Socket;

/**
 * The same connection in a Socket this thread built. The Socket that postMessage delivers has
 * its properties in V8's dictionary mode (from Node 24.21 to 26.10 at least): every read of
 * one of its fields in node:http and node:stream then goes through V8's generic load stub
 * instead of a compiled field load. A perf profile of hello world on one thread put 9% of the
 * thread's samples in that stub; a Socket built on the same handle has the shape of every
 * other socket. The delivered Socket was never read from, so nothing is lost by dropping it.
 */
export function rewrapSocket(delivered: Socket): Socket {
  const transferred = delivered as unknown as TransferredSocket;
  const handle = transferred._handle;
  if (handle === null) return delivered;
  transferred._handle = null;
  const options: HandleOptions = { handle, allowHalfOpen: transferred.allowHalfOpen, pauseOnCreate: true };
  return new SocketOnHandle(options);
}
