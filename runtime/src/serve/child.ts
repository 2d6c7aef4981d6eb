import type { SendHandle } from "node:child_process";
import { sendableHandle, type ListenHandle } from "../process/listen-handle.ts";
import { runProcess } from "../process/run-process.ts";
import type { ProcessRuntime } from "../process/process-runtime.ts";
import type { FromChild, ToChild } from "./ipc.ts";

// One process of `processgroup serve`: a runtime process that reports to its supervisor over
// IPC instead of serving an admin port of its own.

function send(message: FromChild, handle?: ListenHandle): void {
  // An orphan draining on its own has no one to tell (and sending would throw).
  if (!process.connected) return;
  if (handle) process.send?.(message, sendableHandle(handle));
  else process.send?.(message);
}

let runtime: ProcessRuntime | undefined;
let finished = false;

process.on("message", (message: ToChild, handle: SendHandle) => {
  switch (message.t) {
    case "start": {
      // The supervisor holds each slot's socket: a successor accepts from its predecessor's.
      const inherited: ListenHandle | undefined = handle ?? undefined;
      void runProcess(message.settings, {
        adminServer: false,
        listenOn: inherited,
        listening: (r, port) => {
          runtime = r;
          send({ t: "listening", port }, inherited ? undefined : r.listenHandle);
        },
        stopping: (signal) => send({ t: "draining", signal }),
      }).then((code) => {
        finished = true;
        process.exitCode = code;
        process.disconnect?.();
      });
      return;
    }
    case "readiness":
      void (runtime?.readiness() ?? Promise.resolve(["starting"])).then((reasons) => send({ t: "readiness", q: message.q, reasons }));
      return;
    case "metrics":
      void (runtime?.metricsJson() ?? Promise.resolve([])).then((metrics) => send({ t: "metrics", q: message.q, metrics }));
      return;
  }
});

// An orphan (its supervisor died) drains and leaves instead of serving on alone.
process.on("disconnect", () => {
  if (!finished) process.kill(process.pid, "SIGTERM");
});
