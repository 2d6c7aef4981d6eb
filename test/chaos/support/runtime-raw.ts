import { connect, type Socket } from "node:net";

/** What a raw connection got back, and how it ended. */
export interface RawOutcome {
  readonly received: string;
  /** closed: the server closed it (FIN); reset: ECONNRESET/EPIPE; timeout: still open when we gave up; ours: we cut it on purpose. */
  readonly ending: "closed" | "reset" | "timeout" | "ours";
}

export interface RawScript {
  /** Sent as soon as the connection is up. */
  readonly send: readonly (string | Buffer)[];
  /** Called once everything in `send` was written; may write more or cut the connection (then the ending is "ours"). */
  readonly then?: (socket: Socket, received: () => string) => Promise<"cut" | void>;
  readonly timeoutMs?: number;
}

/** Runs `script` on a fresh loopback connection to `port` and reports what came back. */
export function rawConnection(port: number, script: RawScript): Promise<RawOutcome> {
  return new Promise((resolve) => {
    const socket = connect(port, "127.0.0.1");
    let received = "";
    let settled = false;
    let cut = false;
    const finish = (ending: RawOutcome["ending"]) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      resolve({ received, ending: cut ? "ours" : ending });
    };
    const timer = setTimeout(() => finish("timeout"), script.timeoutMs ?? 15_000);
    socket.setEncoding("latin1");
    socket.on("data", (d: string) => (received += d));
    socket.on("error", (e: NodeJS.ErrnoException) => finish(e.code === "ECONNRESET" || e.code === "EPIPE" ? "reset" : "timeout"));
    socket.on("close", () => finish("closed"));
    socket.on("connect", async () => {
      for (const part of script.send) {
        if (socket.destroyed) return;
        if (!socket.write(part)) await new Promise((r) => socket.once("drain", r));
      }
      if (script.then && (await script.then(socket, () => received)) === "cut") {
        cut = true;
        finish("ours");
      }
    });
  });
}

/** The status of every response in `received`, in order. */
export function statusesOf(received: string): number[] {
  return [...received.matchAll(/HTTP\/1\.1 (\d{3}) /g)].map((m) => Number(m[1]));
}

/** Resolves once `received()` satisfies `ready`, or after `timeoutMs`. */
export async function untilReceived(received: () => string, ready: (text: string) => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!ready(received()) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
}
