import { describe, expect, it } from "vitest";
import { rawErrorResponse, statusOfClientError } from "./client-errors.ts";

describe("statusOfClientError", () => {
  it("maps node's parser errors to the status node would send", () => {
    expect(statusOfClientError("HPE_HEADER_OVERFLOW")).toBe(431);
    expect(statusOfClientError("ERR_HTTP_REQUEST_TIMEOUT")).toBe(408);
    expect(statusOfClientError("HPE_INVALID_METHOD")).toBe(400);
    expect(statusOfClientError(undefined)).toBe(400);
  });

  it("writes a complete response that closes the connection", () => {
    expect(rawErrorResponse(400, "Bad Request")).toBe("HTTP/1.1 400 Bad Request\r\nConnection: close\r\nContent-Length: 0\r\n\r\n");
  });
});
