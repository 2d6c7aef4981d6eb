/**
 * What a client is told when its request found no free thread of its group, the same wherever
 * it waited: the main thread's queue (request dispatch, or a connection no thread took yet)
 * or a thread's own (connection dispatch).
 */
export function backlogFullAnswer(group: string, queueCapacity: number): string {
  return `all threads of application group ${group} are busy and ${queueCapacity} requests are already waiting (listenBacklog)`;
}

export function queueTimeoutAnswer(group: string, waitedMs: number): string {
  return `no thread of application group ${group} became free within the queue timeout (${Math.round(waitedMs)} ms)`;
}

/** How long a client refused for a full or slow queue is asked to wait before it retries. */
export const RETRY_AFTER_SECONDS = "1";
