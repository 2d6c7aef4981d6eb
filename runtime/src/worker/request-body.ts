import type { IncomingMessage } from "node:http";

/** Where the body of the request in flight goes, once its head has arrived. */
export interface BodySink {
  push(chunk: Uint8Array): void;
  end(): void;
  abort(): void;
}

/**
 * A request body as a stream the app pulls from. A chunk enters the stream only when the app
 * asks for one, and is then reported read (`read(bytes)`), so the front sends no more than
 * the app takes (plus its window): an app that never reads the body never holds it.
 */
export function pulledBody(read: (bytes: number) => void): { readonly stream: ReadableStream<Uint8Array>; readonly feed: Omit<BodySink, "abort"> & { fail(error: Error): void } } {
  const arrived: Uint8Array[] = [];
  let ended = false;
  let wake: (() => void) | undefined;
  let controller: ReadableStreamDefaultController<Uint8Array> | undefined;
  const poke = () => {
    const resume = wake;
    wake = undefined;
    resume?.();
  };
  const stream = new ReadableStream<Uint8Array>(
    {
      start: (c) => void (controller = c),
      async pull(c) {
        while (arrived.length === 0 && !ended) await new Promise<void>((resolve) => (wake = resolve));
        const chunk = arrived.shift();
        if (chunk === undefined) return c.close();
        c.enqueue(chunk);
        read(chunk.byteLength);
      },
    },
    // No read-ahead: the stream asks for a chunk only when the app reads.
    { highWaterMark: 0 },
  );
  return {
    stream,
    feed: {
      push: (chunk) => {
        arrived.push(chunk);
        poke();
      },
      end: () => {
        ended = true;
        poke();
      },
      fail: (error) => {
        ended = true;
        arrived.length = 0;
        controller?.error(error);
        poke();
      },
    },
  };
}

/**
 * Reports the body bytes a listener app has taken out of `req`: node's Readable asks for more
 * (`_read`) whenever its buffer runs low while the app reads, and what left the buffer by
 * then was read. An app that never reads leaves the bytes buffered and reported unread.
 */
export function reportReads(req: IncomingMessage, read: (bytes: number) => void): (chunk: Uint8Array) => void {
  let pushed = 0;
  let reported = 0;
  const nodeRead = req._read.bind(req);
  req._read = (size: number) => {
    nodeRead(size);
    const taken = pushed - req.readableLength;
    if (taken > reported) {
      read(taken - reported);
      reported = taken;
    }
  };
  return (chunk) => {
    pushed += chunk.byteLength;
    req.push(chunk);
  };
}
