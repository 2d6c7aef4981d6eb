import { createServer as createHttpServer } from "node:http";
import { createServer as createNetServer, Socket } from "node:net";
import { describe, expect, it, vi } from "vitest";
import { acceptOptionsOf, applyAcceptOptions } from "./accept-options.ts";

describe("acceptOptionsOf", () => {
  it("reads node:http's defaults: Nagle's algorithm off, no TCP keep-alive", () => {
    expect(acceptOptionsOf(createHttpServer())).toEqual({ noDelay: true, keepAliveDelayMs: false });
  });

  it("reads node:net's defaults, which differ: Nagle's algorithm on", () => {
    expect(acceptOptionsOf(createNetServer({ pauseOnConnect: true }))).toEqual({ noDelay: false, keepAliveDelayMs: false });
  });

  it("gives TCP keep-alive's delay back in milliseconds, though node:net keeps it in seconds", () => {
    expect(acceptOptionsOf(createHttpServer({ noDelay: false, keepAlive: true, keepAliveInitialDelay: 3_000 }))).toEqual({ noDelay: false, keepAliveDelayMs: 3_000 });
  });
});

describe("applyAcceptOptions", () => {
  it("sets on the socket what the server's own accept would", () => {
    const socket = new Socket();
    const noDelay = vi.spyOn(socket, "setNoDelay");
    const keepAlive = vi.spyOn(socket, "setKeepAlive");
    applyAcceptOptions(socket, acceptOptionsOf(createHttpServer({ keepAlive: true, keepAliveInitialDelay: 5_000 })));
    expect(noDelay).toHaveBeenCalledWith(true);
    expect(keepAlive).toHaveBeenCalledWith(true, 5_000);
    socket.destroy();
  });

  it("leaves the kernel's defaults alone where the server has none", () => {
    const socket = new Socket();
    const noDelay = vi.spyOn(socket, "setNoDelay");
    const keepAlive = vi.spyOn(socket, "setKeepAlive");
    applyAcceptOptions(socket, acceptOptionsOf(createNetServer()));
    expect(noDelay).not.toHaveBeenCalled();
    expect(keepAlive).not.toHaveBeenCalled();
    socket.destroy();
  });
});
