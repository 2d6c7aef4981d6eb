// The baseline: one node:http process running the shared handler.
import { createServer } from "node:http";
import { listener } from "../handlers.mjs";
import { announceServing } from "./announce.mjs";

const server = createServer({ keepAliveTimeout: 30_000 }, listener);
server.listen(0, "127.0.0.1", () => announceServing(server.address().port));
process.on("SIGTERM", () => process.exit(0));
