import { mkdtempSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, describe, expect, it } from "vitest";
import { processGroupYaml } from "../support/process-group-yaml.ts";
import { until } from "../support/until.ts";
import { processgroup } from "./run-cli.ts";
import { hasStackTrace, isAlive, startCli, type Running } from "./spawn-cli.ts";

const fixture = (name: string) => fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url));
const dir = mkdtempSync(join(tmpdir(), "pg-cli-serve-"));
function groupFile(name: string, spec: string): string {
  const path = join(dir, `${name}.yaml`);
  writeFileSync(path, processGroupYaml(name, spec));
  return path;
}
const slowApp = (entry = "slow.mjs") => `  applications:\n    - name: slow\n      mount: /\n      entry: ${fixture(entry)}\n`;

/** A port no one listens on, held by a plain socket until released. */
async function takenPort(): Promise<{ port: number; server: Server }> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen({ host: "127.0.0.1", port: 0 }, resolve));
  const address = server.address();
  if (address === null || typeof address === "string") throw new Error("no port");
  return { port: address.port, server };
}

const running: Running[] = [];
function serve(args: string[], options?: { env?: Record<string, string>; input?: string }): Running {
  const r = startCli(["serve", ...args], options);
  running.push(r);
  return r;
}
afterEach(() => {
  for (const r of running.splice(0)) r.kill();
});

async function serving(r: Running): Promise<{ port: number; adminPort: number }> {
  const line = await r.waitForLog("serving", (l) => l.msg === "serving", 60_000);
  return { port: Number(line["port"]), adminPort: Number(line["adminPort"]) };
}

const childPids = (r: Running, supervisor: number) => [...new Set(r.logs.filter((l) => l.msg === "listening" && l["pid"] !== supervisor).map((l) => Number(l["pid"])))];

describe("processgroup serve: one line, not a stack trace, for what the user can fix", () => {
  it("refuses --log-level verbose, naming the allowed levels (exit 2)", () => {
    const { status, stdout, stderr } = processgroup(["serve", "-f", groupFile("levels", slowApp()), "--log-level", "verbose"]);
    expect(status).toBe(2);
    expect(stdout).toBe("");
    expect(stderr).toBe("processgroup serve: --log-level must be one of fatal, error, warn, info, debug, trace, silent, not 'verbose' (see processgroup serve --help)\n");
  });

  it("refuses a PROCESSGROUP_DISPATCH it does not know, naming the allowed ones (exit 1)", () => {
    const { status, stderr } = processgroup(["serve", "-f", groupFile("dispatch", slowApp())], undefined, { PROCESSGROUP_DISPATCH: "threads" });
    expect([status, stderr]).toEqual([1, 'processgroup serve: PROCESSGROUP_DISPATCH must be one of auto, connection, request (got "threads")\n']);
  });

  it("refuses an unknown option, an extra argument, a bad --log-format and --port equal to --admin-port", () => {
    const file = groupFile("flags", slowApp());
    expect(processgroup(["serve", "-x"]).stderr).toBe("processgroup serve: unknown option '-x' (see processgroup serve --help)\n");
    const extra = processgroup(["serve", "-f", file, "other.yaml"]);
    expect([extra.status, extra.stderr]).toEqual([2, "processgroup serve: unexpected argument 'other.yaml' (see processgroup serve --help)\n"]);
    expect(processgroup(["serve", "-f", file, "--log-format", "xml"]).stderr).toBe("processgroup serve: --log-format must be one of json, pretty, not 'xml' (see processgroup serve --help)\n");
    const same = processgroup(["serve", "-f", file, "--port", "9123", "--admin-port", "9123"]);
    expect([same.status, same.stderr]).toEqual([2, "processgroup serve: --port and --admin-port are both 9123; give them different ports (see processgroup serve --help)\n"]);
    expect(processgroup(["serve"]).stderr).toMatch(/^processgroup serve: -f FILE is required/);
  });

  it("says the admin port is in use and names --admin-port (exit 1)", async () => {
    const { port, server } = await takenPort();
    try {
      const r = serve(["-f", groupFile("admin", slowApp()), "--port", "0", "--admin-port", String(port)]);
      const { code } = await r.exited;
      expect(code).toBe(1);
      expect(r.stderr()).toBe(`processgroup serve: port ${port} is already served by another process (stop it, or choose another port with --admin-port)\n`);
      expect(r.stdout()).toBe("");
    } finally {
      server.close();
    }
  });

  it("says the app port is in use on stderr before starting any process (exit 1)", async () => {
    const { port, server } = await takenPort();
    try {
      const r = serve(["-f", groupFile("app", slowApp()), "--port", String(port), "--admin-port", "0"]);
      const { code } = await r.exited;
      expect(code).toBe(1);
      expect(r.stderr()).toBe(`processgroup serve: port ${port} is already served by another process (stop it, or choose another port with --port)\n`);
      expect(r.logs.some((l) => l.msg === "a process died; starting it again")).toBe(false);
    } finally {
      server.close();
    }
  });
});

describe("processgroup serve: a port belongs to one group", () => {
  it("refuses a second group on a port a first one serves, while the first group's processes share it", async () => {
    const first = serve(["-f", groupFile("first", `  processes: 2\n  threads: 1\n${slowApp()}`), "--port", "0", "--admin-port", "0"]);
    const { port } = await serving(first);
    const second = serve(["-f", groupFile("second", `  threads: 1\n${slowApp()}`), "--port", String(port), "--admin-port", "0"]);
    const { code } = await second.exited;
    expect(code).toBe(1);
    expect(second.stderr()).toBe(`processgroup serve: port ${port} is already served by another process (stop it, or choose another port with --port)\n`);
    // Every answer comes from the first group, and both of its processes take a share.
    const answers = await Promise.all(
      Array.from({ length: 40 }, async () => (await fetch(`http://127.0.0.1:${port}/`, { headers: { connection: "close" } })).json() as Promise<{ pid: number; processGroup: string }>),
    );
    expect(new Set(answers.map((a) => a.processGroup))).toEqual(new Set(["first"]));
    expect(new Set(answers.map((a) => a.pid)).size).toBe(2);
  });
});

describe("processgroup serve: signals", () => {
  it("says 'serving' only once its processes are ready, with one pid key a line and the level as a word", async () => {
    const r = serve(["-f", groupFile("slowload", `  processes: 2\n  threads: 1\n${slowApp("slow-load.mjs")}`), "--port", "0", "--admin-port", "0"]);
    const { adminPort } = await serving(r);
    const ready = await fetch(`http://127.0.0.1:${adminPort}/readyz`);
    expect(ready.status).toBe(200);
    const lines = r.stdout().trim().split("\n");
    for (const line of lines) expect(line.match(/"pid":/g)?.length, line).toBe(1);
    for (const l of r.logs) {
      expect(["trace", "debug", "info", "warn", "error", "fatal"]).toContain(l["level"]);
      expect(["supervisor", "runtime"]).toContain(l["component"]);
      expect(Number.isNaN(Date.parse(String(l["time"])))).toBe(false);
    }
  });

  it("drains on SIGHUP (the terminal closed): the processes stop cleanly and the exit code is 0", async () => {
    const r = serve(["-f", groupFile("hangup", `  processes: 2\n  threads: 1\n${slowApp()}`), "--port", "0", "--admin-port", "0"]);
    const { port } = await serving(r);
    const pids = childPids(r, r.child.pid!);
    expect(pids).toHaveLength(2);
    const inFlight = fetch(`http://127.0.0.1:${port}/?ms=1500`);
    await new Promise((resolve) => setTimeout(resolve, 300));
    r.child.kill("SIGHUP");
    expect((await inFlight).status).toBe(200);
    expect(await r.exited).toEqual({ code: 0, signal: null });
    for (const pid of pids) expect(isAlive(pid)).toBe(false);
    expect(r.logs.filter((l) => l.msg === "draining").map((l) => l["pid"]).sort()).toEqual([...pids].sort());
    expect(hasStackTrace(r.stderr())).toBe(false);
  });

  it("processes whose supervisor was killed (SIGKILL) drain and exit without an IPC trace", async () => {
    const r = serve(["-f", groupFile("orphans", `  processes: 2\n  threads: 1\n${slowApp()}`), "--port", "0", "--admin-port", "0"]);
    await serving(r);
    const pids = childPids(r, r.child.pid!);
    expect(pids).toHaveLength(2);
    r.child.kill("SIGKILL");
    await r.exited;
    await until("the orphans to exit", 30_000, () => (pids.every((pid) => !isAlive(pid)) ? true : undefined));
    await until("their last lines", 5_000, () => (pids.every((pid) => r.logs.some((l) => l["pid"] === pid && l.msg === "stopped")) ? true : undefined));
    expect(hasStackTrace(r.stderr())).toBe(false);
  });

  it("a second Ctrl-C stops at once; the first says it waits on in-flight requests, and for how long", async () => {
    const r = serve(["-f", groupFile("twice", `  threads: 1\n  gracefulTimeoutSeconds: 60\n${slowApp()}`), "--port", "0", "--admin-port", "0"]);
    const { port } = await serving(r);
    const pids = childPids(r, r.child.pid!);
    const inFlight = fetch(`http://127.0.0.1:${port}/?ms=30000`).catch((error: unknown) => error);
    await new Promise((resolve) => setTimeout(resolve, 300));
    r.child.kill("SIGINT");
    const waiting = await r.waitForLog("the drain notice", (l) => l.msg?.startsWith("waiting for in-flight requests") === true, 10_000);
    expect(waiting.msg).toMatch(/up to \d+ s\); press Ctrl-C again to stop at once$/);
    expect(Number(waiting["upToSeconds"])).toBeGreaterThanOrEqual(60);
    r.child.kill("SIGINT");
    expect((await r.exited).code).toBe(130);
    await until("the processes to be gone", 5_000, () => (pids.every((pid) => !isAlive(pid)) ? true : undefined));
    // Cut off, not waited for: the 30 s request never got its answer.
    expect(await inFlight).toBeInstanceOf(Error);
    expect(r.logs.some((l) => l.msg === "second signal: stopping every process at once")).toBe(true);
  });

  it("stopping during start-up is not a failure", async () => {
    const r = serve(["-f", groupFile("early", `  threads: 1\n${slowApp("slow-load.mjs")}`), "--port", "0", "--admin-port", "0"]);
    await r.waitForLog("a process listening", (l) => l.msg === "listening");
    r.child.kill("SIGTERM");
    expect((await r.exited).code).toBe(0);
    expect(r.logs.some((l) => l.level === "fatal" || l.msg === "cannot start")).toBe(false);
    // The drained process left on its own, not at the runtime's hard stop.
    expect(r.logs.some((l) => l.msg === "shutdown timeout: exiting hard")).toBe(false);
    expect(r.logs.some((l) => l.msg === "stopped during start-up")).toBe(true);
    expect(r.logs.some((l) => l.msg === "serving")).toBe(false);
    expect(r.stderr()).toBe("");
  });
});

describe("processgroup serve: files and logs for people", () => {
  it("reads the group from stdin with -f -, and picks one of several files with --name", async () => {
    const piped = serve(["-f", "-", "--port", "0", "--admin-port", "0"], { input: processGroupYaml("piped", `  threads: 1\n${slowApp()}`) });
    const { port } = await serving(piped);
    expect(((await (await fetch(`http://127.0.0.1:${port}/`)).json()) as { processGroup: string }).processGroup).toBe("piped");
    const a = groupFile("alpha", `  threads: 1\n${slowApp()}`);
    const b = groupFile("beta", `  threads: 1\n${slowApp()}`);
    const both = processgroup(["serve", "-f", a, "-f", b, "--port", "0", "--admin-port", "0"]);
    expect([both.status, both.stderr]).toEqual([1, "processgroup serve: 2 files hold a ProcessGroup; name one with --name\n"]);
    const named = serve(["-f", a, "-f", b, "--name", "beta", "--port", "0", "--admin-port", "0"]);
    const beta = await serving(named);
    expect(((await (await fetch(`http://127.0.0.1:${beta.port}/`)).json()) as { processGroup: string }).processGroup).toBe("beta");
  });

  it("--log-format pretty prints readable lines and a start-up banner instead of JSON", async () => {
    const r = serve(["-f", groupFile("pretty", `  processes: 2\n  threads: 3\n${slowApp()}`), "--port", "0", "--admin-port", "0", "--log-format", "pretty"]);
    await until("the banner and the serving line", 60_000, () => (/supervisor pretty: serving/.test(r.stdout()) ? true : undefined));
    const out = r.stdout();
    expect(out).toMatch(/^Server URL +: http:\/\/127\.0\.0\.1:\d+\/$/m);
    expect(out).toMatch(/^Admin URL +: http:\/\/127\.0\.0\.1:\d+\/ \(healthz, readyz, metrics\)$/m);
    expect(out).toMatch(/^Request Capacity +: 6 per application group \(2 processes x 3 threads\)$/m);
    expect(out).toMatch(/^Group slow +: \/ \(slow\)$/m);
    expect(out).toMatch(/^Readiness +: ready$/m);
    expect(out).toMatch(/INFO \(\d+\): supervisor pretty: serving/);
    expect(out).toMatch(/INFO \(\d+\): runtime pretty: listening/);
    expect(out.split("\n").some((line) => line.startsWith("{"))).toBe(false);
  });
});
