import type { Socket } from "node:net";
import { socketOnHandle } from "../process/connection-handle.ts";

/** What rewrapping reads of a socket that arrived by postMessage; node:net keeps these off its types. */
interface TransferredSocket {
  _handle: object | null;
  readonly allowHalfOpen: boolean;
}

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
  // Paused: the caller resumes once node:http listens to the socket.
  return socketOnHandle({ handle, allowHalfOpen: transferred.allowHalfOpen, pauseOnCreate: true });
}
