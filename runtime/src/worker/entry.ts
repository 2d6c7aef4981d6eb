import { getPriority, setPriority } from "node:os";
import { parentPort, workerData, type MessagePort } from "node:worker_threads";
import type { ToWorker, WorkerData } from "../threads/protocol.ts";
import { loadApps, type LoadedApp } from "./load-apps.ts";
import { loadErrorMessage } from "./load-error.ts";
import { serveConnections } from "./serve-connections.ts";
import { serveForwarded } from "./serve-forwarded.ts";
import { onceClient } from "./once-client.ts";
import { sharedClient } from "./shared-client.ts";

// One worker thread: a realm of its own that imports its application group's modules once
// (so the group's apps share module state here) and serves its requests.

async function main(port: MessagePort, data: WorkerData): Promise<void> {
  const shared = sharedClient(port);
  const once = onceClient(port);
  // The main thread's answers to env.shared and env.once(), for either dispatch, from the
  // start: an entry or a preload may await them while it is imported.
  port.on("message", (message: ToWorker) => {
    if (message.t === "shared-result") shared.settle(message.call, message.ok, message.value);
    else if (message.t === "once-result" || message.t === "once-recorded") once.receive(message);
  });
  let apps: LoadedApp[];
  try {
    apps = await loadApps(data, shared.api, once.once);
  } catch (error) {
    port.postMessage({ t: "load-failed", message: loadErrorMessage(error) });
    return;
  }
  // In connection dispatch the main thread only accepts: nothing to yield to.
  if (data.connections) serveConnections(port, data, data.connections, apps);
  else {
    yieldToTheMainThread();
    serveForwarded(port, apps);
  }
  port.postMessage({ t: "ready" });
}

/**
 * How much nicer than the main thread a worker thread runs in request dispatch. The main thread parses and writes
 * every request of the process; when a worker woken by a request preempts it (two cores, 15
 * threads), every other request waits. With the workers niced the main thread keeps its core
 * and the workers use what it leaves, which measured as about 1.5x the hello-world throughput
 * (docs/performance.md); with idle cores to spare (CPU-bound apps) it changes nothing.
 */
const WORKER_NICENESS = 10;

/** Linux keeps a nice value per thread, so this lowers this thread alone; elsewhere (macOS) it would lower the whole process, so it is left alone. */
function yieldToTheMainThread(): void {
  if (process.platform !== "linux") return;
  try {
    setPriority(0, Math.min(19, getPriority(0) + WORKER_NICENESS));
  } catch {
    // A sandbox that forbids it only costs throughput.
  }
}

if (parentPort) await main(parentPort, workerData as WorkerData);
