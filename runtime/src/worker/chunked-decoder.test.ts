import { describe, expect, it } from "vitest";
import { ChunkedDecoder } from "./chunked-decoder.ts";

const text = (parts: Uint8Array[]) => parts.map((p) => new TextDecoder().decode(p)).join("");
const bytes = (s: string) => new TextEncoder().encode(s);

describe("ChunkedDecoder", () => {
  it("decodes a whole body", () => {
    expect(text(new ChunkedDecoder().push(bytes("5\r\nhello\r\n6;ext=1\r\n world\r\n0\r\n\r\n")))).toBe("hello world");
  });

  it("decodes a body split anywhere", () => {
    const encoded = "5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n";
    for (let cut = 1; cut < encoded.length; cut++) {
      const decoder = new ChunkedDecoder();
      expect(text([...decoder.push(bytes(encoded.slice(0, cut))), ...decoder.push(bytes(encoded.slice(cut)))])).toBe("hello world");
    }
  });
});
