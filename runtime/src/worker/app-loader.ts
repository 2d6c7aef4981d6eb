import { nodeHttp } from "../http/node-http.ts";
import { pathToFileURL } from "node:url";
import { ADOPTION_WAIT_SECONDS, beginAdoption } from "./adopted-server.ts";
import { appHandlerOf, serverHandlerOf, type AppHandler } from "./app-handler.ts";

/**
 * Imports one entry and finds what serves it: its default export, or else the http.Server it
 * called listen() on, during the import or after it (fastify's listen() is async, and an entry
 * may await a database before it listens), for a bounded time.
 */
export async function loadApp(entry: string): Promise<AppHandler> {
  const adoption = beginAdoption(entry);
  try {
    const module = (await import(pathToFileURL(entry).href)) as { default?: unknown };
    if (adoption.error) throw adoption.error;
    // `module.exports = app.listen(3000)` (CommonJS, for supertest) exports the server itself.
    if (module.default instanceof nodeHttp.Server) return serverHandlerOf(module.default);
    if (module.default !== undefined) return appHandlerOf(module.default, entry);
    const server = await adoption.server(ADOPTION_WAIT_SECONDS * 1000);
    if (adoption.error) throw adoption.error;
    if (server) return serverHandlerOf(server);
    throw new TypeError(
      `${entry}: the module has no default export and did not call listen() on an http.Server within ${ADOPTION_WAIT_SECONDS} s of its import; ` +
        "export a fetch-style handler ({ fetch(request, env) }, such as a Hono app) or a Node (req, res) listener (such as an Express app) as the default export, " +
        "or call listen() as under `node server.js` (express().listen, fastify().listen, new Koa().listen, @hono/node-server's serve, http.createServer(...).listen)",
    );
  } finally {
    adoption.end();
  }
}
