import { request as httpRequest } from "node:http";
import { request as httpsRequest } from "node:https";
import { setTimeout as sleep } from "node:timers/promises";
import { logTail, type StartedProcess } from "./processes.ts";

/** Client TLS material; `insecure` is for components that serve a self-signed cert of their own. */
export type ProbeTls = { ca: Buffer; cert: Buffer; key: Buffer } | { insecure: true };

function probe(url: URL, tls: ProbeTls | undefined): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const options =
      tls === undefined ? {} : "insecure" in tls ? { rejectUnauthorized: false } : { ca: tls.ca, cert: tls.cert, key: tls.key };
    const req = (url.protocol === "https:" ? httpsRequest : httpRequest)(url, { ...options, timeout: 2_000 }, (res) => {
      let body = "";
      res.setEncoding("utf8");
      res.on("data", (chunk: string) => (body += chunk));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on("timeout", () => req.destroy(new Error("probe timed out")));
    req.on("error", reject);
    req.end();
  });
}

/**
 * Polls a health endpoint until it answers 200. Fails at once, with the end of the
 * process's log, when the process exits first: a bad flag should not cost the full timeout.
 */
export async function waitUntilReady(
  started: StartedProcess,
  url: string,
  options: { tls?: ProbeTls; timeoutMs: number },
): Promise<void> {
  const target = new URL(url);
  const deadline = Date.now() + options.timeoutMs;
  let exited: string | undefined;
  void started.exited.then(({ code, signal }) => {
    exited = `exited (code ${String(code)}, signal ${String(signal)})`;
  });
  let last = "no answer yet";
  while (Date.now() < deadline) {
    if (exited !== undefined) break;
    try {
      const { status, body } = await probe(target, options.tls);
      if (status === 200) return;
      last = `HTTP ${status}: ${body.slice(0, 500)}`;
    } catch (error) {
      last = error instanceof Error ? error.message : String(error);
    }
    await sleep(100);
  }
  const { name, logFile } = started.record;
  throw new Error(
    `${name} ${exited ?? `was not ready at ${url} within ${options.timeoutMs / 1000}s (last: ${last})`}; log ${logFile}:\n${logTail(started.record)}`,
  );
}
