import type { IncomingMessage, Server, ServerResponse } from "node:http";
import type { AppEnv } from "./app-env.ts";

type FetchHandler = (request: Request, env: AppEnv) => Response | Promise<Response>;
type Listener = (req: IncomingMessage, res: ServerResponse) => unknown;

/** The two shapes of app the runtime hosts, told apart once at load time. */
export type AppHandler = { readonly kind: "fetch"; readonly fetch: FetchHandler } | { readonly kind: "listener"; readonly listener: Listener };

/**
 * A module's default export as a handler: an object with a fetch method (`{ fetch }`, a Hono
 * app) or a Node (req, res) listener (an Express app). Checked for fetch first, because a
 * listener function never has one and a Hono app is an object that does.
 */
export function appHandlerOf(exported: unknown, entry: string): AppHandler {
  if ((typeof exported === "object" || typeof exported === "function") && exported !== null) {
    const fetch: unknown = (exported as { fetch?: unknown }).fetch;
    if (typeof fetch === "function") return { kind: "fetch", fetch: (fetch as FetchHandler).bind(exported) };
  }
  if (typeof exported === "function") return { kind: "listener", listener: exported as Listener };
  throw new TypeError(
    `${entry}: the default export must be a fetch-style handler ({ fetch(request, env) }, such as a Hono app) or a Node (req, res) listener (such as an Express app); it is ${exported === null ? "null" : typeof exported}`,
  );
}

/** An app's own http.Server, adopted (adopted-server.ts): it gets each request as a "request" event. */
export function serverHandlerOf(server: Server): AppHandler {
  return { kind: "listener", listener: (req, res) => server.emit("request", req, res) };
}
