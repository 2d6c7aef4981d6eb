import type { Logger } from "pino";
import { backoffDelay, type Backoff } from "../queue/backoff.ts";

export interface ApiReachabilityOptions {
  /** One cheap request to the API server (GET /version); rejects when it cannot be reached. */
  readonly check: () => Promise<unknown>;
  /** The server's URL, for the log and /readyz. */
  readonly server: string;
  /** Pause between failed checks, doubling from baseMs up to maxMs. */
  readonly backoff: Backoff;
  /** Pause between checks while the server answers. */
  readonly intervalMs: number;
  readonly timeoutMs: number;
  readonly log: Logger;
}

/** The error's own words and those of its cause, where fetch hides ECONNREFUSED and friends. */
function describe(error: unknown): string {
  const e = error as { message?: unknown; code?: unknown; cause?: { message?: unknown; code?: unknown } };
  const cause = e.cause?.code ?? e.cause?.message;
  return [String(e.message ?? error), cause === undefined ? undefined : String(cause)].filter((x) => x !== undefined).join(": ");
}

/**
 * Whether the operator can talk to its API server. Without this an operator pointed at a
 * server that is down looks healthy: it "started", stands by for a lease it cannot even ask
 * for, and /readyz says 200. Failures are logged as they happen, spaced by a backoff so an
 * outage does not flood the log, and /readyz reports not ready until the server answers.
 */
export class ApiReachability {
  readonly #o: ApiReachabilityOptions;
  #reachable: boolean | undefined;
  #lastError = "";
  #failures = 0;
  #timer: NodeJS.Timeout | undefined;
  #stopped = false;

  constructor(options: ApiReachabilityOptions) {
    this.#o = options;
  }

  /** Undefined until the first check has answered. */
  get reachable(): boolean | undefined {
    return this.#reachable;
  }

  /** Why /readyz is not ready on the API server's account, or undefined. */
  get problem(): string | undefined {
    if (this.#reachable === undefined) return `connecting to the API server at ${this.#o.server}`;
    return this.#reachable ? undefined : `cannot reach the API server at ${this.#o.server} (${this.#lastError})`;
  }

  start(): void {
    void this.#checkOnce();
  }

  stop(): void {
    this.#stopped = true;
    clearTimeout(this.#timer);
  }

  async #checkOnce(): Promise<void> {
    let timeout: NodeJS.Timeout | undefined;
    try {
      await Promise.race([
        this.#o.check(),
        new Promise((_, reject) => {
          timeout = setTimeout(() => reject(new Error(`no answer within ${this.#o.timeoutMs} ms`)), this.#o.timeoutMs);
        }),
      ]);
      if (this.#reachable === false) this.#o.log.info({ server: this.#o.server, failures: this.#failures }, "the API server answers again");
      this.#reachable = true;
      this.#failures = 0;
    } catch (error) {
      this.#reachable = false;
      this.#lastError = describe(error);
      this.#failures += 1;
    } finally {
      clearTimeout(timeout);
    }
    if (this.#stopped) return;
    const delay = this.#reachable ? this.#o.intervalMs : backoffDelay(this.#o.backoff, this.#failures);
    if (!this.#reachable) this.#o.log.error({ server: this.#o.server, err: this.#lastError, failures: this.#failures, retryInMs: delay }, "cannot reach the API server");
    this.#timer = setTimeout(() => void this.#checkOnce(), delay);
    this.#timer.unref();
  }
}
