// The first module of every worker thread, in plain JavaScript: it lets the thread load the
// TypeScript modules the main thread already stripped (workerData.sources), so the thread
// needs no TypeScript stripper of its own (threads/worker-sources.ts), then starts entry.ts.
import { registerHooks } from "node:module";
import { workerData } from "node:worker_threads";

const sources = workerData?.sources ?? {};
registerHooks({
  load(url, context, nextLoad) {
    const source = sources[url];
    return source === undefined ? nextLoad(url, context) : { format: "module", source, shortCircuit: true };
  },
});
await import("./entry.ts");
