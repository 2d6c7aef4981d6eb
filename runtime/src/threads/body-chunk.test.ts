import { describe, expect, it } from "vitest";
import { byteLengthOf, bytesOf, chunkOf, transfersOf } from "./body-chunk.ts";

const everyByte = (repeat: number) => Uint8Array.from({ length: 256 * repeat }, (_, i) => i % 256);

describe("body chunks", () => {
  it("round-trips every byte value, as text when small and as an ArrayBuffer when large", () => {
    for (const repeat of [1, 200]) {
      const bytes = everyByte(repeat);
      const chunk = chunkOf(bytes);
      expect(typeof chunk === "string").toBe(repeat === 1);
      expect(transfersOf([chunk])).toHaveLength(repeat === 1 ? 0 : 1);
      expect(byteLengthOf([chunk])).toBe(bytes.length);
      expect(new Uint8Array(bytesOf(chunk))).toEqual(bytes);
    }
  });

  it("copies only the view's bytes, not the pool behind it", () => {
    const pool = Buffer.from("xxhelloxx");
    const view = pool.subarray(2, 7);
    expect(bytesOf(chunkOf(view)).toString()).toBe("hello");
    const large = Buffer.alloc(40_000, 1).subarray(10, 30_010);
    expect(byteLengthOf([chunkOf(large)])).toBe(30_000);
  });
});
