import type { SendHandle } from "node:child_process";
import type { Server } from "node:net";

/**
 * A listening socket as an OS handle (libuv's TCP handle), to hand from one process to
 * another. child_process sends a net.Server as a server the receiver at once listens on and
 * accepts from; the server's own handle goes as a native handle instead, which the receiver
 * may hold open without accepting, or listen on with `server.listen(handle)`.
 */
export type ListenHandle = object;

/** The handle of a listening server: node's `_handle`, the member `server.listen(handle)` documents. */
export function listenHandleOf(server: Server): ListenHandle | undefined {
  return (server as unknown as { _handle?: ListenHandle | null })._handle ?? undefined;
}

/** The handle as child_process.send takes it (its types name only net.Server, net.Socket and dgram.Socket). */
export function sendableHandle(handle: ListenHandle): SendHandle {
  return handle as SendHandle;
}

/** Closes this process's copy of the socket; other processes' copies keep it open. */
export function closeListenHandle(handle: ListenHandle): void {
  (handle as { close?: () => void }).close?.();
}
