import { fileURLToPath } from "node:url";
import { Worker } from "node:worker_threads";
import { ClaimSlot } from "./claim-slot.ts";
import type { FromWorker, ToWorker, WorkerData } from "./protocol.ts";
import { workerSources } from "./worker-sources.ts";

const WORKER_BOOT = new URL("../worker/boot.mjs", import.meta.url);
const WORKER_ENTRY = fileURLToPath(new URL("../worker/entry.ts", import.meta.url));

/** starting: loading its apps; serving: takes requests; retiring: finishes its requests, takes no new ones. */
export type ThreadState = "starting" | "serving" | "retiring" | "gone";

/** Why a thread left: the label of the recycles metric. */
export type RecycleReason = "maximum-requests" | "request-timeout" | "crash" | "memory-limit" | "restart-interval" | "reload";

export interface ThreadEvents {
  message(thread: PoolThread, message: FromWorker): void;
  /** A ready thread ended without being asked to; `message` says what killed it. */
  died(thread: PoolThread, reason: RecycleReason, message: string): void;
}

/** One worker thread of a pool and what the pool knows about it. */
export class PoolThread {
  readonly worker: Worker;
  readonly threadId: number;
  state: ThreadState = "starting";
  served = 0;
  /** A replacement is on its way (maximum-requests), so it is not asked for twice. */
  replacing = false;
  /** Its replacement is in: when it goes, for whatever reason, nothing takes its place. */
  leaving = false;
  /** The request it holds while full (see Scheduler). */
  readonly claim = new ClaimSlot();
  /** Resolves once the thread has loaded its apps; rejects with the load error. */
  readonly ready: Promise<void>;
  #lastError: Error | undefined;

  constructor(data: WorkerData, options: { readonly memoryLimitMb: number | undefined; readonly concurrency: number }, events: ThreadEvents) {
    const { memoryLimitMb, concurrency } = options;
    const sources = workerSources([WORKER_ENTRY, ...data.preload, ...data.applications.map((app) => app.entry)]);
    this.worker = new Worker(WORKER_BOOT, {
      workerData: { ...data, sources, dispatch: { concurrency, claim: this.claim.buffer } },
      name: `${data.processGroup}/${data.applicationGroup}`,
      ...(memoryLimitMb !== undefined ? { resourceLimits: { maxOldGenerationSizeMb: memoryLimitMb } } : {}),
    });
    this.threadId = this.worker.threadId;
    this.ready = new Promise<void>((resolve, reject) => {
      this.worker.on("message", (message: FromWorker) => {
        if (this.state === "starting") {
          if (message.t === "ready") resolve();
          else if (message.t === "load-failed") reject(new Error(message.message));
        }
        events.message(this, message);
      });
      this.worker.on("error", (error) => {
        this.#lastError = error;
        if (this.state === "starting") reject(error);
      });
      this.worker.on("exit", (code) => {
        if (this.state === "gone") return;
        if (this.state === "starting") {
          this.state = "gone";
          reject(this.#lastError ?? new Error(`the thread exited with code ${code} while loading`));
          return;
        }
        const outOfMemory = (this.#lastError as NodeJS.ErrnoException | undefined)?.code === "ERR_WORKER_OUT_OF_MEMORY";
        const why = this.#lastError ? this.#lastError.message : `the thread exited with code ${code}`;
        this.state = "gone";
        events.died(this, outOfMemory ? "memory-limit" : "crash", why);
      });
    });
    // Rejections are read by whoever awaits `ready`; never leave one unhandled.
    this.ready.catch(() => {});
  }

  send(message: ToWorker, transfer: ArrayBuffer[] = []): void {
    if (this.state === "gone") return;
    if (transfer.length > 0) this.worker.postMessage(message, transfer);
    else this.worker.postMessage(message);
  }

  /** Ends the thread on purpose (no `died` event). */
  stop(): void {
    if (this.state === "gone") return;
    this.state = "gone";
    void this.worker.terminate();
  }
}
