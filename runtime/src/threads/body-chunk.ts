import type { BodyChunk } from "./protocol.ts";

/**
 * Up to this size a chunk crosses threads as latin1 text (one character a byte): cloning a
 * string costs far less than creating and moving an ArrayBuffer, which measured as the
 * largest single cost of a small request. Larger chunks move as transferred ArrayBuffers.
 */
const SMALL_CHUNK = 16 * 1024;

/** The bytes as a message can carry them (copied: a Buffer is often a view into a shared pool). */
export function chunkOf(bytes: Uint8Array): BodyChunk {
  if (bytes.byteLength <= SMALL_CHUNK) return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("latin1");
  return new Uint8Array(bytes).buffer;
}

/** Text whose characters are bytes (latin1), as a message can carry it: as is when small. */
export function chunkOfLatin1(text: string): BodyChunk {
  return text.length <= SMALL_CHUNK ? text : chunkOf(Buffer.from(text, "latin1"));
}

/** The ArrayBuffers among the chunks: the transfer list of their message. */
export function transfersOf(chunks: readonly BodyChunk[]): ArrayBuffer[] {
  return chunks.filter((c): c is ArrayBuffer => typeof c !== "string");
}

/** The bytes back, as a Buffer (latin1 text decodes to exactly the bytes it stands for). */
export function bytesOf(chunk: BodyChunk): Buffer {
  return typeof chunk === "string" ? Buffer.from(chunk, "latin1") : Buffer.from(chunk);
}

export function byteLengthOf(chunks: readonly BodyChunk[]): number {
  return chunks.reduce((n, c) => n + (typeof c === "string" ? c.length : c.byteLength), 0);
}
