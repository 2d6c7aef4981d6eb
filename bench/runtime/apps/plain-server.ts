// The baseline: one node:http process running the shared handler.
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { listener } from "../handlers.ts";
import { announceServing } from "./announce.ts";

const server = createServer({ keepAliveTimeout: 30_000 }, listener);
server.listen(0, "127.0.0.1", () => announceServing((server.address() as AddressInfo).port));
process.on("SIGTERM", () => process.exit(0));
