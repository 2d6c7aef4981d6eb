// Messages between the main thread (the HTTP front) and a worker thread. Bodies travel in
// chunks (body-chunk.ts), so a large body streams instead of being cloned whole.

import type { ConnectionServing } from "../connections/protocol.ts";
import type { OnceFromWorker, OnceToWorker } from "../once/once-protocol.ts";
import type { SharedOperation } from "./shared-store.ts";

/** What a worker needs at start: its group's apps and preloads, and the flags it reports to them. */
export interface WorkerData {
  readonly processGroup: string;
  readonly applicationGroup: string;
  readonly applications: readonly { readonly name: string; readonly mount: string; readonly entry: string }[];
  readonly preload: readonly string[];
  readonly multiprocess: boolean;
  readonly multithread: boolean;
  readonly threads: number;
  readonly concurrency: number;
  /** spec.env, for a runtime that must set it itself (`serve`); a pod already has it in its environment. */
  readonly environment: Readonly<Record<string, string>>;
  /** Present in connection dispatch: the thread serves whole connections itself. */
  readonly connections?: ConnectionServing;
  /** Set by the pool for per-request dispatch: see serve-forwarded.ts. */
  readonly dispatch?: DispatchData;
}

/** What a thread serving forwarded requests needs beyond its apps. */
export interface DispatchData {
  /** How many requests it runs at once. */
  readonly concurrency: number;
  /** Its ClaimSlot: the request it holds while full. */
  readonly claim: SharedArrayBuffer;
}

/** Body bytes: an ArrayBuffer, or for small chunks the same bytes as a latin1 string. */
export type BodyChunk = ArrayBuffer | string;

export interface RequestHead {
  readonly t: "request";
  readonly id: number;
  /** Index of the app in WorkerData.applications. */
  readonly app: number;
  readonly method: string;
  /** The request target as the client sent it (path and query). */
  readonly url: string;
  readonly scriptName: string;
  readonly pathInfo: string;
  readonly query: string;
  /** Flat name/value list, as node's rawHeaders. */
  readonly rawHeaders: readonly string[];
  readonly httpVersion: string;
  readonly remoteAddress: string;
  readonly remotePort: number;
  readonly host: string;
  /** No body message follows: the request is complete. */
  readonly complete: boolean;
  /**
   * Sent ahead of time to a full thread, under this ClaimSlot token: the thread starts it only
   * once it has room and only if it wins the claim (the main thread may have taken it back).
   */
  readonly held?: number;
}

export type ToWorker =
  | RequestHead
  | { readonly t: "body"; readonly id: number; readonly chunk: BodyChunk }
  | { readonly t: "end"; readonly id: number }
  | { readonly t: "abort"; readonly id: number }
  | { readonly t: "shared-result"; readonly call: number; readonly ok: boolean; readonly value: unknown }
  | OnceToWorker;

export type FromWorker =
  | { readonly t: "ready" }
  | { readonly t: "load-failed"; readonly message: string }
  | {
      readonly t: "head";
      readonly id: number;
      readonly status: number;
      /** Flat name/value list, as node's rawHeaders and writeHead take it. */
      readonly headers: readonly string[];
      readonly chunks: readonly BodyChunk[];
      readonly end: boolean;
    }
  | { readonly t: "chunk"; readonly id: number; readonly chunks: readonly BodyChunk[]; readonly end: boolean }
  | { readonly t: "failed"; readonly id: number; readonly message: string }
  /** The app has read `bytes` more of the request's body: the main thread may send that much more. */
  | { readonly t: "body-read"; readonly id: number; readonly bytes: number }
  | { readonly t: "shared"; readonly call: number; readonly op: SharedOperation }
  | OnceFromWorker;
