// The peer: a plain node:http server running a handler module's default export.
import { createServer, type RequestListener } from "node:http";
import type { AddressInfo } from "node:net";
import { pathToFileURL } from "node:url";

const [modulePath] = process.argv.slice(2);
if (modulePath === undefined) throw new Error("usage: plain-server.ts HANDLER_MODULE");
const handler = ((await import(pathToFileURL(modulePath).href)) as { default: RequestListener }).default;
const server = createServer({ keepAliveTimeout: 30_000 }, handler);
server.listen(0, "127.0.0.1", () => process.stdout.write(`${JSON.stringify({ msg: "serving", port: (server.address() as AddressInfo).port })}\n`));
process.on("SIGTERM", () => server.close(() => process.exit(0)));
