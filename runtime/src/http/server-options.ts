import type { ServerOptions } from "node:http";
import type { HttpLimits } from "../settings/runtime-settings.ts";

/** node's HTTP server with the runtime's limits, wherever requests are parsed (the front, or a thread in connection dispatch). */
export function serverOptionsOf(limits: HttpLimits): ServerOptions {
  return {
    maxHeaderSize: limits.maxHeaderSize,
    headersTimeout: limits.headersTimeoutMs,
    requestTimeout: limits.requestTimeoutMs,
    keepAliveTimeout: limits.keepAliveTimeoutMs,
    connectionsCheckingInterval: Math.max(100, Math.min(1_000, limits.headersTimeoutMs / 4)),
  };
}
