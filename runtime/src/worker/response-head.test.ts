import { describe, expect, it } from "vitest";
import { headerListOf, parseResponseHead } from "./response-head.ts";

describe("parseResponseHead", () => {
  it("reads the status and keeps end-to-end headers, repeated ones included", () => {
    expect(parseResponseHead("HTTP/1.1 201 Created\r\nContent-Type: a/b\r\nSet-Cookie: a=1\r\nSet-Cookie: b=2\r\nConnection: close\r\nDate: x")).toEqual({
      status: 201,
      headers: ["Content-Type", "a/b", "Set-Cookie", "a=1", "Set-Cookie", "b=2"],
      chunked: false,
    });
  });

  it("reads a head with no headers, and takes a nonsense status for 500", () => {
    expect(parseResponseHead("HTTP/1.1 204 No Content")).toEqual({ status: 204, headers: [], chunked: false });
    expect(parseResponseHead("garbage").status).toBe(500);
  });

  it("notices chunked coding the app asked for, and drops the header", () => {
    expect(parseResponseHead("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked")).toEqual({ status: 200, headers: [], chunked: true });
  });
});

describe("headerListOf", () => {
  it("keeps each Set-Cookie apart", () => {
    const headers = new Headers([["content-type", "text/plain"], ["set-cookie", "a=1"], ["set-cookie", "b=2"]]);
    expect(headerListOf(headers)).toEqual(["content-type", "text/plain", "set-cookie", "a=1", "set-cookie", "b=2"]);
  });
});
