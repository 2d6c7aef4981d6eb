import { connect } from "node:net";
import { describe, expect, it } from "vitest";
import { withGroup } from "./support/harness.ts";

const BODY_BYTES = 64 * 1024 * 1024;

/**
 * POSTs BODY_BYTES as fast as the server takes them and returns how far the upload had got
 * when it first stalled for half a second (undefined if it never did), and the answer.
 */
function upload(port: number, path: string): Promise<{ stalledAt: number | undefined; answer: string }> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, "127.0.0.1");
    const chunk = Buffer.alloc(64 * 1024, 120);
    let queued = 0;
    let answer = "";
    let stalledAt: number | undefined;
    let last = -1;
    let still = 0;
    const watch = setInterval(() => {
      if (socket.bytesWritten === last && queued < BODY_BYTES) still += 1;
      else still = 0;
      last = socket.bytesWritten;
      if (still >= 5 && stalledAt === undefined) stalledAt = last;
    }, 100);
    socket.setEncoding("latin1");
    socket.on("data", (d: string) => (answer += d));
    socket.on("error", reject);
    socket.on("close", () => {
      clearInterval(watch);
      resolve({ stalledAt, answer: answer.slice(answer.indexOf("\r\n\r\n") + 4) });
    });
    socket.on("connect", () => {
      socket.write(`POST ${path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Length: ${BODY_BYTES}\r\n\r\n`);
      const pump = () => {
        while (queued < BODY_BYTES) {
          queued += chunk.length;
          if (!socket.write(chunk)) return void socket.once("drain", pump);
        }
      };
      pump();
    });
  });
}

// A body flows to the app as fast as it reads it, and no faster: the process never holds
// more of a body the app has not read than a small window (TCP holds the rest back).
describe("request bodies", () => {
  it.each(["/listener", "/fetch"])("hold back the client while the app at %s does not read, then deliver every byte", async (mount) => {
    await withGroup(
      {
        threads: 1,
        applications: [
          { name: "listener", mount: "/listener", entry: "late-reader.mjs" },
          { name: "fetch", mount: "/fetch", entry: "late-reader-fetch.mjs" },
        ],
      },
      async (group) => {
        const { stalledAt, answer } = await upload(group.port, `${mount}?wait=3000`);
        expect(stalledAt).toBeDefined();
        expect(stalledAt!).toBeLessThan(BODY_BYTES / 2);
        expect(answer).toBe(String(BODY_BYTES));
      },
    );
  });
});
