// node:cluster as its documentation shows it: a primary forks N workers that each run node:http
// on the shared port (the primary accepts and hands connections round-robin, Node's default on
// Linux), all running the shared handler.
//
//   node cluster-server.mjs WORKERS
import cluster from "node:cluster";
import { createServer } from "node:http";
import { listener } from "../handlers.mjs";
import { announceServing } from "./announce.mjs";

if (cluster.isPrimary) {
  const workers = Number(process.argv[2]);
  if (!Number.isInteger(workers) || workers < 1) throw new Error("usage: cluster-server.mjs WORKERS");
  let listening = 0;
  cluster.on("listening", (_worker, address) => {
    listening += 1;
    if (listening === workers) announceServing(address.port);
  });
  for (let i = 0; i < workers; i++) cluster.fork();
  process.on("SIGTERM", () => {
    for (const worker of Object.values(cluster.workers ?? {})) worker?.process.kill("SIGTERM");
    process.exit(0);
  });
} else {
  // Port 0 in a cluster: every worker gets the same port, picked once by the primary.
  createServer({ keepAliveTimeout: 30_000 }, listener).listen(0, "127.0.0.1");
  process.on("SIGTERM", () => process.exit(0));
}
