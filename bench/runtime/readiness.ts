// Waiting until a server answers, without keeping a connection to it open afterwards.
import { request } from "node:http";
import { createServer } from "node:net";
import { setTimeout as sleep } from "node:timers/promises";
import type { Launched } from "./launch.ts";

export interface HttpAnswer {
  readonly status: number;
  readonly body: string;
}

export function httpGet(url: string, timeoutMs: number): Promise<HttpAnswer> {
  return new Promise((resolve, reject) => {
    const req = request(url, { agent: false, headers: { connection: "close" }, timeout: timeoutMs }, (res) => {
      let body = "";
      res.setEncoding("utf8").on("data", (chunk: string) => (body += chunk));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
      res.on("error", reject);
    });
    req.on("timeout", () => req.destroy(new Error(`no answer from ${url} within ${timeoutMs} ms`)));
    req.on("error", reject);
    req.end();
  });
}

/** Polls until `probe` holds, the process exits (an error with its output) or time runs out. */
export async function waitFor(what: string, launched: Launched, timeoutMs: number, probe: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (launched.hasExited()) throw new Error(`exited while waiting for ${what}:\n${launched.tail()}`);
    if (await probe().catch(() => false)) return;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs / 1000} s waiting for ${what}:\n${launched.tail()}`);
    await sleep(100);
  }
}

export const answers200 = (url: string) => async () => (await httpGet(url, 2_000)).status === 200;

export interface ServingLine {
  readonly port: number;
  readonly adminPort?: number;
}

/** The JSON line the bench's Node servers and `processgroup serve` print once they listen. */
export function servingLineOf(line: string): ServingLine | undefined {
  if (!line.startsWith("{")) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(line);
  } catch {
    return undefined;
  }
  if (typeof parsed !== "object" || parsed === null) return undefined;
  const { msg, port, adminPort } = parsed as { msg?: unknown; port?: unknown; adminPort?: unknown };
  if (msg !== "serving" || typeof port !== "number" || !Number.isInteger(port) || port < 1) return undefined;
  return typeof adminPort === "number" ? { port, adminPort } : { port };
}

export async function waitForServingLine(launched: Launched, timeoutMs: number): Promise<ServingLine> {
  let serving: ServingLine | undefined;
  launched.onLine((line) => (serving ??= servingLineOf(line)));
  await waitFor("its serving line", launched, timeoutMs, async () => serving !== undefined);
  return serving!;
}

/** A port nobody listens on now, for servers that must be told theirs (Apache, PM2). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => (typeof address === "object" && address !== null ? resolve(address.port) : reject(new Error("no port"))));
    });
  });
}
