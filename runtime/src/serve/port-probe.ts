import { createServer } from "node:net";

/**
 * Whether host:port can be served by a new group, asked before any process starts, so that a
 * taken port is one line, not a failed start. A brief exclusive bind tells "free" from
 * "served by someone else" (also by a server that shares its port with SO_REUSEPORT).
 * Resolves to undefined when free, else the errno code (EADDRINUSE, EACCES, EADDRNOTAVAIL...).
 */
export function probePort(host: string, port: number): Promise<string | undefined> {
  return new Promise((resolve) => {
    const probe = createServer();
    probe.once("error", (error: NodeJS.ErrnoException) => resolve(error.code ?? String(error)));
    probe.listen({ host, port, exclusive: true }, () => probe.close(() => resolve(undefined)));
  });
}

/** The one-line message for a port that cannot be listened on, naming the flag that fixes it. */
export function portProblem(code: string, host: string, port: number, flag: string): string {
  switch (code) {
    case "EADDRINUSE":
      return `port ${port} is already served by another process (stop it, or choose another port with ${flag})`;
    case "EACCES":
      return `port ${port} needs privileges this user lacks (choose a port above 1023 with ${flag})`;
    case "EADDRNOTAVAIL":
      return `${host} is not an address of this machine (choose another with --host)`;
    default:
      return `cannot listen on ${host}:${port} (${code}; choose another port with ${flag})`;
  }
}
