import type { ServerResponse } from "node:http";
import type { Duplex } from "node:stream";

/**
 * The responses each connection still owes, in the order of its requests. When a request
 * pipelined behind others is malformed, node's parser stops there and reports the error at
 * once, while the requests before it are still being served: the error's answer must go
 * after their responses, not in their place and never inside a response already under way.
 */
export class OwedResponses {
  readonly #owed = new WeakMap<Duplex, Set<ServerResponse>>();
  readonly #failed = new WeakSet<Duplex>();

  /** The connection was answered for a client error already: a failed parser fails again on whatever follows. */
  failed(socket: Duplex): boolean {
    return this.#failed.has(socket);
  }

  /** `res` is owed on `socket` until paid() (call it when `res` closes). */
  owe(socket: Duplex, res: ServerResponse): void {
    let owed = this.#owed.get(socket);
    if (owed === undefined) this.#owed.set(socket, (owed = new Set()));
    owed.add(res);
  }

  paid(socket: Duplex, res: ServerResponse): void {
    this.#owed.get(socket)?.delete(res);
  }

  /** Answers a connection whose request could not be parsed with `answer`, a whole response that closes it. */
  fail(socket: Duplex, answer: string): void {
    this.#failed.add(socket);
    const owed = [...(this.#owed.get(socket) ?? [])];
    if (owed.length === 0) return lingeringEnd(socket, answer);
    if (owed.some((res) => !res.req.complete)) {
      // The error is in the body of a request being served, whose response can no longer
      // come: answer now if nothing of a response was sent yet (its exchange sees the
      // connection close), else cutting the connection is the only honest signal.
      if (owed.some((res) => res.headersSent)) socket.destroy();
      else lingeringEnd(socket, answer);
      return;
    }
    socket.pause();
    let left = owed.length;
    for (const res of owed) {
      res.once("close", () => {
        if (--left > 0) return;
        if (!owed.every((r) => r.writableFinished) || !socket.writable) return void socket.destroy();
        socket.resume();
        lingeringEnd(socket, answer);
      });
    }
  }
}

/**
 * How long a connection answered for a client error keeps reading (and dropping) what its
 * client still sends, before it is cut.
 */
const LINGER_MS = 5_000;

/**
 * Sends `answer` and half-closes, then reads on until the client closes too (RFC 9112
 * §9.6): closing at once with the client's bytes unread would reset the connection, and a
 * reset can destroy the answer before the client reads it.
 */
function lingeringEnd(socket: Duplex, answer: string): void {
  socket.end(answer);
  (socket as Duplex & { setTimeout?: (ms: number) => unknown }).setTimeout?.(LINGER_MS);
}
