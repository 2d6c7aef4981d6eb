import type { MessagePort } from "node:worker_threads";
import { chunkOf, chunkOfLatin1, transfersOf } from "../threads/body-chunk.ts";
import type { BodyChunk, FromWorker } from "../threads/protocol.ts";

/**
 * Sends one response to the main thread. Writes made in the same turn of the event loop
 * travel in one message (a typical response is a single message: head, body and end);
 * a response that pauses (a stream, server-sent events) is flushed at each pause.
 */
export class ResponseChannel {
  readonly #port: Pick<MessagePort, "postMessage">;
  readonly #id: number;
  readonly #onEnd: () => void;
  #head: { status: number; headers: string[] } | undefined;
  #headSent = false;
  #chunks: BodyChunk[] = [];
  #ended = false;
  #flushScheduled = false;

  /** `onEnd` runs once the response has ended or failed: the thread is free for the next request. */
  constructor(port: Pick<MessagePort, "postMessage">, id: number, onEnd: () => void) {
    this.#port = port;
    this.#id = id;
    this.#onEnd = onEnd;
  }

  get started(): boolean {
    return this.#head !== undefined;
  }

  get ended(): boolean {
    return this.#ended;
  }

  /** `headers` is a flat name/value list. */
  head(status: number, headers: string[]): void {
    this.#head = { status, headers };
    this.#schedule();
  }

  write(chunk: Uint8Array): void {
    if (chunk.byteLength === 0) return;
    this.#chunks.push(chunkOf(chunk));
    this.#schedule();
  }

  /** Body bytes given as latin1 text (one character a byte). */
  writeLatin1(text: string): void {
    if (text.length === 0) return;
    this.#chunks.push(chunkOfLatin1(text));
    this.#schedule();
  }

  end(): void {
    if (this.#ended) return;
    this.#ended = true;
    this.#flush();
    queueMicrotask(this.#onEnd);
  }

  /** The app failed before answering: the main thread answers 500 (or cuts a started response). */
  fail(message: string): void {
    if (this.#ended) return;
    this.#ended = true;
    this.#post({ t: "failed", id: this.#id, message });
    queueMicrotask(this.#onEnd);
  }

  #schedule(): void {
    if (this.#flushScheduled || this.#ended) return;
    this.#flushScheduled = true;
    setImmediate(() => {
      this.#flushScheduled = false;
      if (!this.#ended) this.#flush();
    });
  }

  #flush(): void {
    const chunks = this.#chunks;
    this.#chunks = [];
    const transfer = transfersOf(chunks);
    const end = this.#ended;
    if (!this.#headSent) {
      if (this.#head === undefined) {
        if (!end) return;
        this.#head = { status: 200, headers: [] };
      }
      this.#headSent = true;
      this.#post({ t: "head", id: this.#id, status: this.#head.status, headers: this.#head.headers, chunks, end }, transfer);
    } else if (chunks.length > 0 || end) {
      this.#post({ t: "chunk", id: this.#id, chunks, end }, transfer);
    }
  }

  #post(message: FromWorker, transfer: ArrayBuffer[] = []): void {
    if (transfer.length > 0) this.#port.postMessage(message, transfer);
    else this.#port.postMessage(message);
  }
}
