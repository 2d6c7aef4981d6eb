import { Agent, request } from "node:http";

/**
 * Well-behaved clients for the chaos scenarios: closed-loop GETs that each send the next
 * request as soon as the last answer has been read whole.
 *
 * A keep-alive client does what a standard HTTP/1.1 client does (node's Agent, Go's
 * Transport, browsers): it honours `Connection: close`, and when a request fails on a
 * *reused* connection before a single byte of answer arrived, it sends it again once on
 * another connection (RFC 9110 §9.2.2 allows it for idempotent requests; node documents it
 * with `request.reusedSocket`). A server may close an idle keep-alive connection at any
 * moment, so that case is the one race HTTP/1.1 leaves to the client; such a retry is
 * counted, not failed. Anything else that is not a complete answer is a failure: a reset or
 * refused fresh connection, a response cut short, a second failure of a retry.
 */
export interface SteadyLoadOptions {
  /** Base URL, e.g. http://127.0.0.1:8000 */
  readonly url: string;
  /** Paths the clients ask for, shared out among them in turn. */
  readonly paths: readonly string[];
  /** Clients on keep-alive connections. */
  readonly keepAliveClients: number;
  /** Clients that open a new connection for every request (`Connection: close`). */
  readonly freshClients?: number;
  /** A safety bound on requests sent. */
  readonly maxRequests?: number;
}

export interface PathOutcome {
  sent: number;
  readonly statuses: Record<number, number>;
  /** Requests with no complete answer, by what went wrong. */
  readonly errors: Record<string, number>;
}

export interface LoadReport {
  readonly sent: number;
  readonly ok: number;
  readonly retried: number;
  /** Sent and never settled (no answer, no error) within the stop's grace. */
  readonly lost: number;
  readonly seconds: number;
  readonly byPath: ReadonlyMap<string, PathOutcome>;
  /** Answer bodies of 200s, counted, cut to 40 characters (to tell code versions apart). */
  readonly bodies: Readonly<Record<string, number>>;
  readonly errorSamples: readonly string[];
}

export interface SteadyLoad {
  /** Requests sent so far. */
  readonly sent: () => number;
  /** Resolves once `n` more requests have completed, so faults hit a load that is really running. */
  readonly completed: (n: number) => Promise<void>;
  /** Stops the clients; waits `graceMs` for requests in flight, and counts the rest as lost. */
  readonly stop: (graceMs?: number) => Promise<LoadReport>;
}

type Attempt =
  | { readonly kind: "answer"; readonly status: number; readonly body: string }
  | { readonly kind: "error"; readonly what: string; readonly retryable: boolean };

function attempt(url: string, agent: Agent | false): Promise<Attempt> {
  return new Promise((resolve) => {
    let answered = false;
    const req = request(url, { agent, headers: agent === false ? { connection: "close" } : {} }, (res) => {
      answered = true;
      let body = "";
      res.setEncoding("utf8");
      res.on("data", (chunk: string) => (body += chunk));
      res.on("end", () => resolve(res.complete ? { kind: "answer", status: res.statusCode ?? 0, body } : { kind: "error", what: "response cut short", retryable: false }));
      res.on("error", (error: NodeJS.ErrnoException) => resolve({ kind: "error", what: `response cut short (${error.code ?? error.message})`, retryable: false }));
    });
    req.on("error", (error: NodeJS.ErrnoException) => {
      if (answered) return;
      const reused = req.reusedSocket;
      resolve({ kind: "error", what: `${error.code ?? error.message} on a ${reused ? "reused" : "fresh"} connection`, retryable: reused });
    });
    req.end();
  });
}

export function startSteadyLoad(options: SteadyLoadOptions): SteadyLoad {
  const keepAlive = new Agent({ keepAlive: true, maxSockets: Math.max(1, options.keepAliveClients) });
  const byPath = new Map<string, PathOutcome>(options.paths.map((p) => [p, { sent: 0, statuses: {}, errors: {} }]));
  const bodies: Record<string, number> = {};
  const errorSamples: string[] = [];
  const maxRequests = options.maxRequests ?? 1_000_000;
  const started = performance.now();
  let sent = 0;
  let ok = 0;
  let retried = 0;
  let done = 0;
  let stopped = false;
  const inFlight = new Set<Promise<void>>();
  const waiters: { readonly at: number; readonly resolve: () => void }[] = [];

  const settle = (path: string, outcome: Attempt) => {
    const counts = byPath.get(path)!;
    if (outcome.kind === "answer") {
      counts.statuses[outcome.status] = (counts.statuses[outcome.status] ?? 0) + 1;
      if (outcome.status === 200) {
        ok += 1;
        const key = outcome.body.slice(0, 40);
        bodies[key] = (bodies[key] ?? 0) + 1;
      } else if (errorSamples.length < 20) errorSamples.push(`${path}: ${outcome.status} ${outcome.body.slice(0, 160)}`);
    } else {
      counts.errors[outcome.what] = (counts.errors[outcome.what] ?? 0) + 1;
      if (errorSamples.length < 20) errorSamples.push(`${path}: ${outcome.what}`);
    }
    done += 1;
    for (let i = waiters.length - 1; i >= 0; i--) if (done >= waiters[i]!.at) waiters.splice(i, 1)[0]!.resolve();
  };

  const client = async (path: string, agent: Agent | false) => {
    while (!stopped && sent < maxRequests) {
      sent += 1;
      byPath.get(path)!.sent += 1;
      const one = (async () => {
        let outcome = await attempt(`${options.url}${path}`, agent);
        if (outcome.kind === "error" && outcome.retryable) {
          retried += 1;
          outcome = await attempt(`${options.url}${path}`, agent);
        }
        settle(path, outcome);
      })();
      inFlight.add(one);
      await one;
      inFlight.delete(one);
    }
  };

  const pathFor = (i: number) => options.paths[i % options.paths.length]!;
  const clients = [
    ...Array.from({ length: options.keepAliveClients }, (_, i) => client(pathFor(i), keepAlive)),
    ...Array.from({ length: options.freshClients ?? 0 }, (_, i) => client(pathFor(options.keepAliveClients + i), false)),
  ];

  return {
    sent: () => sent,
    completed: (n) => new Promise((resolve) => waiters.push({ at: done + n, resolve })),
    async stop(graceMs = 30_000) {
      stopped = true;
      const seconds = (performance.now() - started) / 1000;
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([Promise.all(clients), new Promise((resolve) => (timer = setTimeout(resolve, graceMs)))]);
      clearTimeout(timer);
      const lost = inFlight.size;
      keepAlive.destroy();
      return { sent, ok, retried, lost, seconds, byPath, bodies, errorSamples };
    },
  };
}

/** Requests of `report` that did not get a complete answer with a status `allowed` allows. */
export function failedRequests(report: LoadReport, allowed: (path: string, status: number) => boolean = (_path, status) => status === 200): number {
  let failed = 0;
  for (const [path, outcome] of report.byPath) {
    for (const [status, count] of Object.entries(outcome.statuses)) if (!allowed(path, Number(status))) failed += count;
    for (const count of Object.values(outcome.errors)) failed += count;
  }
  return failed;
}

/** "12 keep-alive + 2 fresh-connection clients, 850 req/s" */
export function describeLoad(options: SteadyLoadOptions, report: LoadReport): string {
  const fresh = options.freshClients ? ` + ${options.freshClients} fresh-connection` : "";
  return `${options.keepAliveClients} keep-alive${fresh} clients on ${options.paths.join(", ")}, ${Math.round(report.sent / report.seconds)} req/s for ${Math.round(report.seconds)} s`;
}
