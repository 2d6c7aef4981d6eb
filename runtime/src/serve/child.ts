import type { SendHandle } from "node:child_process";
import { runProcess } from "../process/run-process.ts";
import { DEALT, type ProcessRuntime } from "../process/process-runtime.ts";
import { supervisedOnce } from "../once/supervised-once.ts";
import type { FromChild, ToChild } from "./ipc.ts";

// One process of `processgroup serve`: a runtime process that reports to its supervisor over
// IPC instead of serving an admin port of its own.

const STARTED_POLL_MS = 50;
/** How long a drained process may take to exit on its own before it is made to. */
const AFTER_DRAIN_MS = 1_000;

function send(message: FromChild): void {
  // An orphan draining on its own has no one to tell (and sending would throw).
  if (!process.connected) return;
  process.send?.(message);
}

/** A reason that only says the groups are still loading; any other one outlives the start. */
const stillLoading = (reason: string) => / (is|are) loading$/.test(reason);

/**
 * Tells the supervisor once every application group has loaded or failed to: readiness is
 * then what it will stay until something changes, and the supervisor can say "serving".
 */
function reportStarted(runtime: ProcessRuntime): void {
  void runtime.readiness().then((reasons) => {
    if (stopping) return;
    if (reasons !== null && reasons.some(stillLoading)) {
      setTimeout(() => reportStarted(runtime), STARTED_POLL_MS).unref();
      return;
    }
    send({ t: "started", reasons });
  });
}

// env.once() across the group: the supervisor holds the one table of its processes.
let once: ReturnType<typeof supervisedOnce> | undefined;

let runtime: ProcessRuntime | undefined;
let finished = false;
let stopping = false;

process.on("message", (message: ToChild, handle: SendHandle) => {
  switch (message.t) {
    case "start": {
      // The supervisor accepts the connections and deals them ("connection"): this process does not listen.
      void runProcess(message.settings, {
        adminServer: false,
        listenOn: DEALT,
        once: (once = supervisedOnce((m) => send(m), message.settings.onceTakeoverMs)).backend,
        listening: (r, port) => {
          runtime = r;
          send({ t: "listening", port });
          reportStarted(r);
        },
        stopping: (signal) => {
          stopping = true;
          send({ t: "draining", signal });
          // A drain that began while the groups were still loading leaves runProcess waiting
          // for a start that never ends, until its hard stop (20 s by default); once the drain
          // is done there is nothing left to wait for.
          void runtime?.stop().then(() => setTimeout(() => finished || process.exit(0), AFTER_DRAIN_MS).unref());
        },
      }).then((code) => {
        finished = true;
        process.exitCode = code;
        // An orphan is disconnected already; disconnecting again would throw ERR_IPC_DISCONNECTED.
        if (process.connected) process.disconnect();
      });
      return;
    }
    case "connection":
      // The supervisor deals only to a process that said "listening", which set `runtime`.
      if (runtime === undefined || !handle) return;
      runtime.adopt(handle);
      send({ t: "adopted", id: message.id });
      return;
    case "readiness":
      void (runtime?.readiness() ?? Promise.resolve(["starting"])).then((reasons) => send({ t: "readiness", q: message.q, reasons }));
      return;
    case "metrics":
      void (runtime?.metricsJson() ?? Promise.resolve([])).then((metrics) => send({ t: "metrics", q: message.q, metrics }));
      return;
    case "once-answer":
      once?.answer(message);
      return;
  }
});

// Closing the terminal sends SIGHUP to every process of the group: the supervisor decides,
// and drains its processes with SIGTERM (the default action would kill this one mid-request).
process.on("SIGHUP", () => {});

// An orphan (its supervisor died, even by SIGKILL) drains and leaves instead of serving on alone.
process.on("disconnect", () => {
  if (!finished) process.kill(process.pid, "SIGTERM");
});
