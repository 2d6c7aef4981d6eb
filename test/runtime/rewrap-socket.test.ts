import { execFile } from "node:child_process";
import { once } from "node:events";
import { fileURLToPath } from "node:url";
import net, { type AddressInfo, type Socket } from "node:net";
import { promisify } from "node:util";
import { MessageChannel } from "node:worker_threads";
import { afterEach, describe, expect, it } from "vitest";
import { rewrapSocket } from "../../runtime/src/worker/rewrap-socket.ts";

const SHAPE_PROBE = fileURLToPath(new URL("./fixtures/socket-shape.mjs", import.meta.url));
const closers: (() => void)[] = [];
afterEach(() => {
  for (const close of closers.splice(0)) close();
});

/** A server that delivers each connection through a MessagePort, as the connection pool does. */
async function deliveredConnection(): Promise<{ delivered: Socket; client: Socket }> {
  const { port1, port2 } = new MessageChannel();
  const server = net.createServer({ pauseOnConnect: true }, (socket) => port1.postMessage({ socket }, [socket as never]));
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  closers.push(() => {
    port2.close();
    server.close();
  });
  const client = net.connect((server.address() as AddressInfo).port, "127.0.0.1");
  closers.push(() => client.destroy());
  // Sent before the connection is delivered: it waits in the kernel, as a first request does.
  client.write("early ");
  const [message] = (await once(port2, "message")) as [{ socket: Socket }];
  return { delivered: message.socket, client };
}

describe("rewrapSocket", () => {
  it("carries the connection both ways, from its first byte, in a socket the receiving side built", async () => {
    const { delivered, client } = await deliveredConnection();
    const socket = rewrapSocket(delivered);
    expect(socket).not.toBe(delivered);
    expect(socket.remotePort).toBe(client.localPort);
    client.write("late");
    let received = "";
    socket.setEncoding("utf8");
    socket.on("data", (chunk: string) => {
      received += chunk;
      if (received === "early late") socket.end("answer");
    });
    socket.resume();
    let answer = "";
    client.setEncoding("utf8");
    client.on("data", (chunk: string) => (answer += chunk));
    await once(client, "end");
    expect(received).toBe("early late");
    expect(answer).toBe("answer");
  });

  it("closes when the client goes, and leaves the delivered socket holding nothing", async () => {
    const { delivered, client } = await deliveredConnection();
    const socket = rewrapSocket(delivered);
    socket.resume();
    const closed = once(socket, "close");
    client.end();
    await closed;
    // The delivered object lost its handle: destroying it must not touch the connection.
    expect(() => delivered.destroy()).not.toThrow();
  });

  it("keeps V8's fast properties, which a delivered socket does not always have", async () => {
    const { stdout } = await promisify(execFile)(process.execPath, ["--allow-natives-syntax", SHAPE_PROBE], { timeout: 20_000 });
    const shape = JSON.parse(stdout.trim()) as { delivered: boolean; rewrapped: boolean };
    expect(shape.rewrapped).toBe(true);
  });
});
