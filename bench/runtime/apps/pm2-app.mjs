// The app PM2 runs in cluster mode: node:http with the shared handler on PORT. PM2's cluster
// workers share the port through node:cluster, exactly as PM2 users deploy.
import { createServer } from "node:http";

const { listener } = await import("../handlers.mjs");
const port = Number(process.env.PORT);
createServer({ keepAliveTimeout: 30_000 }, listener).listen(port, "127.0.0.1");
