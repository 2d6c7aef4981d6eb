import { connect } from "node:net";

export interface RawEnding {
  /** Everything the server wrote back. */
  readonly received: string;
  /** True when the server ended the connection, false when the client gave up at `timeoutMs`. */
  readonly byServer: boolean;
}

/**
 * Sends bytes on a fresh connection (optionally pausing after `parts[0]`) and resolves with
 * everything the server wrote back until it closed the connection or `timeoutMs` passed.
 */
export async function rawExchange(port: number, parts: readonly string[], options: { pauseMs?: number; timeoutMs?: number } = {}): Promise<string> {
  return (await rawExchangeEnding(port, parts, options)).received;
}

/** rawExchange, and which side ended the connection. */
export function rawExchangeEnding(port: number, parts: readonly string[], options: { pauseMs?: number; timeoutMs?: number } = {}): Promise<RawEnding> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, "127.0.0.1");
    let received = "";
    const timer = setTimeout(() => {
      socket.destroy();
      resolve({ received, byServer: false });
    }, options.timeoutMs ?? 10_000);
    socket.setEncoding("latin1");
    socket.on("data", (d: string) => (received += d));
    socket.on("close", () => {
      clearTimeout(timer);
      resolve({ received, byServer: true });
    });
    socket.on("error", (e: NodeJS.ErrnoException) => (e.code === "ECONNRESET" ? undefined : reject(e)));
    socket.on("connect", async () => {
      for (const [i, part] of parts.entries()) {
        if (i > 0 && options.pauseMs) await new Promise((r) => setTimeout(r, options.pauseMs));
        if (!socket.destroyed) socket.write(part);
      }
    });
  });
}

export function statusLineOf(response: string): string {
  return response.split("\r\n")[0] ?? "";
}
