import { connect } from "node:net";
import { describe, expect, it } from "vitest";
import { PIPELINE_LIMIT } from "../../runtime/src/http/connection-budget.ts";
import { withGroup } from "./support/harness.ts";

/** Sends `count` GETs in one write on one connection; resolves with the statuses, in order. */
function pipeline(port: number, path: string, count: number): Promise<number[]> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, "127.0.0.1");
    let text = "";
    socket.setEncoding("latin1");
    socket.on("data", (chunk: string) => {
      text += chunk;
      const statuses = [...text.matchAll(/HTTP\/1\.1 (\d{3}) /g)].map((m) => Number(m[1]));
      if (statuses.length === count) {
        socket.destroy();
        resolve(statuses);
      }
    });
    socket.on("error", reject);
    socket.write(Array.from({ length: count }, () => `GET ${path} HTTP/1.1\r\nHost: x\r\n\r\n`).join(""));
  });
}

describe.each(["connection", "request"] as const)("one connection that pipelines, in %s dispatch", (dispatch) => {
  it(`holds at most ${PIPELINE_LIMIT} of its requests in the queue at once: other clients fail none, and it is answered whole`, async () => {
    await withGroup({
      threads: 2,
      listenBacklog: 20,
      applications: [
        { name: "work", mount: "/", entry: "work.mjs", applicationGroup: "a" },
        ...(dispatch === "request" ? [{ name: "other", mount: "/other", entry: "echo.mjs", applicationGroup: "b" }] : []),
      ],
    }, async (group) => {
      let stop = false;
      const steady = Array.from({ length: 3 }, async () => {
        const statuses: number[] = [];
        while (!stop) statuses.push((await group.get("/sleep?ms=2")).status);
        return statuses;
      });
      const piped = await pipeline(group.port, "/sleep?ms=2", 300);
      stop = true;
      const others = (await Promise.all(steady)).flat();
      expect(piped).toEqual(Array(300).fill(200));
      expect(others.length).toBeGreaterThan(0);
      expect(others.filter((s) => s !== 200)).toEqual([]);
    }, { dispatch });
  });
});
