import type { SendHandle } from "node:child_process";
import { Socket, type SocketConstructorOpts } from "node:net";

/**
 * An accepted connection as an OS handle (libuv's TCP handle), never read from: `serve`'s
 * supervisor accepts it and sends it to one of its processes, as node:cluster's primary does.
 * child_process sends a native handle as it is, where a net.Socket would arrive reading.
 */
export type ConnectionHandle = object;

/** The handle as child_process.send takes it (its types name only net.Server, net.Socket and dgram.Socket). */
export function sendableHandle(handle: ConnectionHandle): SendHandle {
  return handle as SendHandle;
}

/** Closes this process's copy of the connection; a process it was sent to keeps its own. */
export function closeConnectionHandle(handle: ConnectionHandle): void {
  (handle as { close?: () => void }).close?.();
}

/**
 * The OS handle of a socket accepted paused and never read, taken out of it: the Socket is
 * then destroyed (which keeps its server's count right) without closing the connection.
 */
export function takeConnectionHandle(socket: Socket): ConnectionHandle | undefined {
  const held = socket as unknown as { _handle: ConnectionHandle | null };
  const handle = held._handle;
  held._handle = null;
  socket.destroy();
  return handle ?? undefined;
}

/** node:net's options for a handle it did not open; its types know `handle` only as a BoundSocket. */
export interface HandleOptions extends Omit<SocketConstructorOpts, "handle"> {
  readonly handle: ConnectionHandle;
  /** Do not start reading: only a socket never read from may move on to a thread. */
  readonly pauseOnCreate: boolean;
}

/** A Socket on `handle`, as node:net and node:child_process build one for a handle they receive. */
export function socketOnHandle(options: HandleOptions): Socket {
  return new (Socket as unknown as new (options: HandleOptions) => Socket)(options);
}
