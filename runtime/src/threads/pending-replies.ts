/**
 * Questions sent over a message channel (a worker's port, a child's IPC), each answered later
 * by its number: ask() sends the question and resolves with the answer, settle() delivers it.
 */
export class PendingReplies {
  #next = 1;
  readonly #waiting = new Map<number, { resolve(value: unknown): void; reject(error: Error): void }>();

  /** Sends the question numbered by `send`'s argument; resolves with the answer, or rejects with the error it carries. */
  ask(send: (id: number) => void): Promise<unknown> {
    return new Promise<unknown>((resolve, reject) => {
      const id = this.#next++;
      this.#waiting.set(id, { resolve, reject });
      send(id);
    });
  }

  settle(id: number, ok: boolean, value: unknown): void {
    const waiter = this.#waiting.get(id);
    this.#waiting.delete(id);
    if (ok) waiter?.resolve(value);
    else waiter?.reject(new Error(String(value)));
  }
}
