import { runProcess } from "../process/run-process.ts";
import type { ProcessRuntime } from "../process/process-runtime.ts";
import type { FromChild, ToChild } from "./ipc.ts";

// One process of `processgroup serve`: a runtime process that reports to its supervisor over
// IPC instead of serving an admin port of its own.

function send(message: FromChild): void {
  process.send?.(message);
}

let runtime: ProcessRuntime | undefined;
let finished = false;

process.on("message", (message: ToChild) => {
  switch (message.t) {
    case "start":
      void runProcess(message.settings, {
        adminServer: false,
        listening: (r, port) => {
          runtime = r;
          send({ t: "listening", port });
        },
      }).then((code) => {
        finished = true;
        process.exitCode = code;
        process.disconnect?.();
      });
      return;
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
