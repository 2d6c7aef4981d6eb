import type { CoreV1Api, CoreV1Event } from "@kubernetes/client-node";
import { randomBytes } from "node:crypto";
import type { Logger } from "pino";
import type { Clock } from "../clock.ts";
import { mergePatch } from "../kube/api-clients.ts";

export type EventType = "Normal" | "Warning";

export interface EventNote {
  readonly type: EventType;
  readonly reason: string;
  readonly message: string;
}

/** The object an event is about. */
export interface EventSubject {
  readonly apiVersion: string;
  readonly kind: string;
  readonly name: string;
  readonly namespace: string;
  readonly uid: string;
}

export const EVENT_SOURCE = "processgroup-operator";
const MAX_MESSAGE = 1024;
/** The same event again within this window bumps the count of the first instead of adding one. */
const AGGREGATION_WINDOW_MS = 10 * 60_000;
const MAX_REMEMBERED = 4096;

interface Recorded {
  readonly name: string;
  readonly namespace: string;
  count: number;
  last: number;
}

/**
 * Writes core/v1 Events (what `kubectl describe` shows). Best effort: a failure is logged,
 * never thrown, since an event must not fail a reconcile. Repeats are folded into the
 * first event's count, the way client-go's correlator does.
 */
export class EventRecorder {
  readonly #core: CoreV1Api;
  readonly #clock: Clock;
  readonly #log: Logger;
  readonly #instance: string;
  readonly #recent = new Map<string, Recorded>();

  constructor(options: { core: CoreV1Api; clock: Clock; log: Logger; instance: string }) {
    this.#core = options.core;
    this.#clock = options.clock;
    this.#log = options.log;
    this.#instance = options.instance;
  }

  async record(subject: EventSubject, note: EventNote): Promise<void> {
    const message = note.message.length > MAX_MESSAGE ? `${note.message.slice(0, MAX_MESSAGE - 3)}...` : note.message;
    const key = [subject.uid, note.type, note.reason, message].join("\u0000");
    const now = this.#clock.now();
    const seen = this.#recent.get(key);
    try {
      if (seen && now - seen.last < AGGREGATION_WINDOW_MS) {
        seen.count++;
        seen.last = now;
        await this.#core.patchNamespacedEvent(
          { name: seen.name, namespace: seen.namespace, body: { count: seen.count, lastTimestamp: new Date(now).toISOString() } },
          mergePatch,
        );
        return;
      }
      const event = this.#eventOf(subject, { ...note, message }, now);
      await this.#core.createNamespacedEvent({ namespace: subject.namespace, body: event });
      this.#remember(key, { name: event.metadata.name ?? "", namespace: subject.namespace, count: 1, last: now });
    } catch (error) {
      this.#recent.delete(key);
      this.#log.warn({ namespace: subject.namespace, name: subject.name, reason: note.reason, err: error instanceof Error ? error.message : String(error) }, "could not record an event");
    }
  }

  #eventOf(subject: EventSubject, note: EventNote, now: number): CoreV1Event {
    const time = new Date(now);
    return {
      metadata: { name: `${subject.name}.${now.toString(16)}${randomBytes(3).toString("hex")}`, namespace: subject.namespace },
      involvedObject: { apiVersion: subject.apiVersion, kind: subject.kind, name: subject.name, namespace: subject.namespace, uid: subject.uid },
      type: note.type,
      reason: note.reason,
      message: note.message,
      source: { component: EVENT_SOURCE },
      reportingComponent: EVENT_SOURCE,
      reportingInstance: this.#instance,
      firstTimestamp: time,
      lastTimestamp: time,
      count: 1,
    };
  }

  #remember(key: string, recorded: Recorded): void {
    if (this.#recent.size >= MAX_REMEMBERED) {
      const oldest = this.#recent.keys().next().value;
      if (oldest !== undefined) this.#recent.delete(oldest);
    }
    this.#recent.set(key, recorded);
  }
}
