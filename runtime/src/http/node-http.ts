/**
 * node:http, as a CommonJS module. `import { createServer } from "node:http"` in an ES module
 * builds a namespace of every export, and on Node 24 and 26 three of them (WebSocket,
 * CloseEvent, MessageEvent) are lazy getters that load undici with them: about 3.5 MB of heap
 * in every isolate that does it, each worker thread included. Reading the exports one by one
 * from the CommonJS module loads undici only for whoever uses those. Types still come from
 * `import type ... from "node:http"`, which loads nothing.
 */
export const nodeHttp = process.getBuiltinModule("node:http");
