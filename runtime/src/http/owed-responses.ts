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

  owe(socket: Duplex, res: ServerResponse): void {
    let owed = this.#owed.get(socket);
    if (owed === undefined) this.#owed.set(socket, (owed = new Set()));
    owed.add(res);
    const settled = owed;
    res.once("close", () => settled.delete(res));
  }

  /**
   * Answers a connection whose request could not be parsed with `answer` (a whole response
   * that closes the connection). False if the connection failed before: a parser that failed
   * fails again on whatever follows, and the first answer stands.
   */
  fail(socket: Duplex, answer: string): boolean {
    if (this.#failed.has(socket)) return false;
    this.#failed.add(socket);
    const owed = [...(this.#owed.get(socket) ?? [])];
    if (owed.length === 0) {
      socket.end(answer);
      return true;
    }
    if (owed.some((res) => !res.req.complete)) {
      // The error is in the body of a request being served, whose response can no longer
      // come: answer now if nothing of a response was sent yet (its exchange sees the
      // connection close), else cutting the connection is the only honest signal.
      if (owed.some((res) => res.headersSent)) socket.destroy();
      else socket.end(answer);
      return true;
    }
    socket.pause();
    let left = owed.length;
    for (const res of owed) {
      res.once("close", () => {
        if (--left > 0) return;
        if (owed.every((r) => r.writableFinished) && socket.writable) socket.end(answer);
        else socket.destroy();
      });
    }
    return true;
  }
}
