/**
 * Decodes HTTP/1.1 chunked transfer coding incrementally. Needed only when a listener app
 * sets `Transfer-Encoding: chunked` itself, so node encodes the body it hands the worker's socket.
 */
export class ChunkedDecoder {
  #pending: Uint8Array = new Uint8Array(0);
  #remaining = 0;
  #done = false;

  /** Returns the payload bytes in `input`. */
  push(input: Uint8Array): Uint8Array[] {
    let buf = concat(this.#pending, input);
    const out: Uint8Array[] = [];
    while (!this.#done && buf.length > 0) {
      if (this.#remaining > 0) {
        const take = Math.min(this.#remaining, buf.length);
        out.push(buf.subarray(0, take));
        buf = buf.subarray(take);
        this.#remaining -= take;
        if (this.#remaining === 0) this.#remaining = -2; // the CRLF after the data
        continue;
      }
      if (this.#remaining === -2) {
        if (buf.length < 2) break;
        buf = buf.subarray(2);
        this.#remaining = 0;
        continue;
      }
      const lineEnd = indexOfCrlf(buf);
      if (lineEnd === -1) break;
      const size = parseInt(new TextDecoder().decode(buf.subarray(0, lineEnd)).split(";")[0] ?? "", 16);
      buf = buf.subarray(lineEnd + 2);
      if (!Number.isFinite(size) || size === 0) this.#done = true;
      else this.#remaining = size;
    }
    this.#pending = this.#done ? new Uint8Array(0) : buf.slice();
    return out;
  }
}

function indexOfCrlf(buf: Uint8Array): number {
  for (let i = 0; i + 1 < buf.length; i++) if (buf[i] === 13 && buf[i + 1] === 10) return i;
  return -1;
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  if (a.length === 0) return b;
  const out = new Uint8Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}
