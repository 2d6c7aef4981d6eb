import type { Socket } from "node:net";
import { nodeHttp } from "../http/node-http.ts";
import { RETRY_AFTER_SECONDS } from "../threads/queue-answers.ts";

/** How long a refused connection may still send (and have dropped) what it sent, before it is cut. */
const LINGER_MS = 5_000;

/**
 * Answers a connection no thread took, before its request was read (reading it here would
 * keep the socket from ever moving to a thread): a whole response that closes it.
 */
export function refuseConnection(socket: Socket, status: number, message: string): void {
  const body = `${message}\n`;
  const retry = status === 503 ? `Retry-After: ${RETRY_AFTER_SECONDS}\r\n` : "";
  socket.end(`HTTP/1.1 ${status} ${nodeHttp.STATUS_CODES[status] ?? "Error"}\r\nConnection: close\r\nContent-Type: text/plain; charset=utf-8\r\n${retry}Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`);
  socket.on("error", () => {});
  socket.resume();
  socket.setTimeout(LINGER_MS, () => socket.destroy());
}
