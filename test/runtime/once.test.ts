import { mkdtemp, readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, describe, expect, it } from "vitest";
import { until, withGroup } from "./support/harness.ts";
import { groupFile, spawnCli, waitReady, type Spawned } from "./support/spawned.ts";

const fixture = (name: string) => fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url));

interface Entry {
  readonly what: string;
  readonly pid: number;
  readonly threadId: number;
}

async function entries(file: string): Promise<Entry[]> {
  const text = await readFile(file, "utf8");
  return text
    .split("\n")
    .filter(Boolean)
    .map((line) => {
      const [what = "", pid = "0", threadId = "0"] = line.split(" ");
      return { what, pid: Number(pid), threadId: Number(threadId) };
    });
}

const count = (list: readonly Entry[], what: string) => list.filter((e) => e.what === what).length;

/** The first run's start, once every caller but the runner (which awaits its own run) has its answer: false. */
async function runnerOfFirstRun(log: string): Promise<Entry> {
  const start = await until("the first run's start", 30_000, async () => (await entries(log)).find((e) => e.what === "start"));
  await until("11 answers", 30_000, async () => (count(await entries(log), "answer-false") === 11 ? true : undefined));
  return start;
}

// `processgroup serve`, 3 processes x 4 threads: every thread imports the app, and the app
// calls once() while it is imported.
describe("env.once() under processgroup serve", () => {
  let served: Spawned | undefined;
  afterEach(() => {
    if (served && served.child.exitCode === null) served.child.kill("SIGKILL");
    served = undefined;
  });

  async function serveGroup(firstRunMs: number): Promise<{ file: string; log: string; serve(): Promise<Spawned> }> {
    const dir = await mkdtemp(join(tmpdir(), "pg-once-"));
    const log = join(dir, "once.log");
    await writeFile(log, "");
    const file = await groupFile(`
apiVersion: processgroup.dev/v1alpha1
kind: ProcessGroup
metadata:
  name: once
spec:
  processes: 3
  threads: 4
  gracefulTimeoutSeconds: 2
  shutdownTimeoutSeconds: 1
  env:
    - {name: ONCE_LOG, value: ${log}}
    - {name: ONCE_FIRST_RUN_MS, value: "${firstRunMs}"}
  applications:
    - name: resume
      mount: /
      entry: ${fixture("once-at-start.mjs")}
`);
    return {
      file,
      log,
      serve: async () => {
        served = spawnCli(["serve", "-f", file, "--port", "0", "--admin-port", "0"], { PROCESSGROUP_ONCE_TAKEOVER_SECONDS: "2" });
        return served;
      },
    };
  }

  it("runs fn in exactly one of 12 threads in 3 processes, and again after a restart of serve", async () => {
    const group = await serveGroup(300);
    const first = await group.serve();
    const serving = await first.waitForLog("serving", (l) => l.msg === "serving");
    await waitReady(`http://127.0.0.1:${String(serving["adminPort"])}`);
    await until("12 answers", 30_000, async () => ((await entries(group.log)).filter((e) => e.what.startsWith("answer")).length === 12 ? true : undefined));
    await until("the run's end", 30_000, async () => (count(await entries(group.log), "end") === 1 ? true : undefined));
    let seen = await entries(group.log);
    expect(count(seen, "start")).toBe(1);
    expect(count(seen, "answer-true")).toBe(1);
    expect(count(seen, "answer-false")).toBe(11);
    expect(new Set(seen.filter((e) => e.what.startsWith("answer")).map((e) => e.pid)).size).toBe(3);
    const runner = seen.find((e) => e.what === "start");
    expect(seen.find((e) => e.what === "answer-true")).toEqual({ ...runner, what: "answer-true" });

    first.child.kill("SIGTERM");
    expect(await first.exited).toBe(0);
    const second = await group.serve();
    await second.waitForLog("serving", (l) => l.msg === "serving");
    await until("the second run's end", 30_000, async () => (count(await entries(group.log), "end") === 2 ? true : undefined));
    await until("24 answers", 30_000, async () => ((await entries(group.log)).filter((e) => e.what.startsWith("answer")).length === 24 ? true : undefined));
    seen = await entries(group.log);
    expect(count(seen, "start")).toBe(2);
    expect(count(seen, "answer-true")).toBe(2);
  });

  it("a process killed mid-run: another process takes the run over and finishes it", async () => {
    const group = await serveGroup(60_000);
    const spawned = await group.serve();
    const start = await runnerOfFirstRun(group.log);
    process.kill(start.pid, "SIGKILL");
    await until("the taken-over run's end", 30_000, async () => (count(await entries(group.log), "end") === 1 ? true : undefined));
    const seen = await entries(group.log);
    const starts = seen.filter((e) => e.what === "start");
    expect(starts).toHaveLength(2);
    expect(starts[1]?.pid).not.toBe(start.pid);
    expect(seen.find((e) => e.what === "end")?.pid).toBe(starts[1]?.pid);
    expect(spawned.logs.some((l) => l.msg === "once: a process died while it ran; its runs go to another caller")).toBe(true);
  });

  it("a runner that stops renewing (SIGSTOP) is taken over after the takeover time", async () => {
    const group = await serveGroup(60_000);
    const spawned = await group.serve();
    const start = await runnerOfFirstRun(group.log);
    process.kill(start.pid, "SIGSTOP");
    try {
      await until("the taken-over run's end", 30_000, async () => (count(await entries(group.log), "end") === 1 ? true : undefined));
      const starts = (await entries(group.log)).filter((e) => e.what === "start");
      expect(starts).toHaveLength(2);
      expect(starts[1]?.pid).not.toBe(start.pid);
      expect(spawned.logs.some((l) => l.msg === "once: the previous runner stopped; this process takes the run over")).toBe(true);
    } finally {
      process.kill(start.pid, "SIGCONT");
    }
  });
});

// A process on its own (no supervisor, no cluster): the process is the group.
describe("env.once() in one process", () => {
  type Answer = { ran?: boolean; error?: string; finishedAt?: number; answeredAt: number; threadId: number };
  const fresh = (url: string) => fetch(url, { headers: { connection: "close" } }).then(async (r) => (await r.json()) as Answer);

  it("with wait: true, the others resolve false once the winner has finished", async () => {
    await withGroup({ threads: 4, concurrency: 2, applications: [{ name: "once", mount: "/", entry: "once-fetch.mjs" }] }, async (group) => {
      const answers = await Promise.all(Array.from({ length: 8 }, () => fresh(`${group.url}/?key=waited&wait=1&ms=300`)));
      const winners = answers.filter((a) => a.ran === true);
      expect(winners).toHaveLength(1);
      const finishedAt = winners[0]!.finishedAt!;
      for (const a of answers.filter((x) => x.ran === false)) expect(a.answeredAt).toBeGreaterThanOrEqual(finishedAt);
      expect(answers.filter((a) => a.ran === false)).toHaveLength(7);
      // Later callers learn it is done without running it.
      expect((await fresh(`${group.url}/?key=waited&wait=1`)).ran).toBe(false);
      expect((await fresh(`${group.url}/?key=waited`)).ran).toBe(false);
    });
  });

  it("a failed run rejects in the winner and in the waiters, with the winner's error; non-waiters get false", async () => {
    await withGroup({ threads: 4, concurrency: 2, applications: [{ name: "once", mount: "/", entry: "once-fetch.mjs" }] }, async (group) => {
      const answers = await Promise.all(Array.from({ length: 6 }, () => fresh(`${group.url}/?key=failing&wait=1&fail=1&ms=200`)));
      expect(answers.every((a) => a.error?.includes("resume failed: the queue is gone"))).toBe(true);
      expect(answers.filter((a) => a.error === "resume failed: the queue is gone")).toHaveLength(1);
      expect(answers.filter((a) => a.error?.startsWith('once("failing"): the run in another thread or process failed'))).toHaveLength(5);
      expect((await fresh(`${group.url}/?key=failing`)).ran).toBe(false);
    });
  });

  it("a thread that dies mid-run gives the run back: a waiting caller in another thread runs it", async () => {
    await withGroup({ threads: 2, applications: [{ name: "once", mount: "/", entry: "once-fetch.mjs" }] }, async (group) => {
      const crashed = fetch(`${group.url}/?key=crashing&crash=1&ms=400`, { headers: { connection: "close" } }).then(
        () => "answered",
        () => "cut",
      );
      await until("the first run", 10_000, () => (group.logs.some((l) => l.msg === "once: this process runs it") ? true : undefined));
      const waiter = fresh(`${group.url}/?key=crashing&wait=1&ms=10`);
      expect(await crashed).toBe("cut");
      const answer = await waiter;
      expect(answer.ran).toBe(true);
      expect(group.logs.some((l) => l.msg === "once: the thread running it died; giving the run back")).toBe(true);
      expect((await fresh(`${group.url}/?key=crashing`)).ran).toBe(false);
    });
  });

  it.each(["connection", "request"] as const)("an entry may await once() and env.shared while it is imported (%s dispatch)", async (dispatch) => {
    await withGroup(
      { threads: 3, applications: [{ name: "start", mount: "/", entry: "once-shared-at-import.mjs" }] },
      async (group) => {
        const answer = (await (await group.get("/")).json()) as { imported: number; ranBy: unknown };
        expect(answer.imported).toBe(3);
        expect(typeof answer.ranBy).toBe("number");
      },
      { dispatch },
    );
  });

  it("refuses a key that cannot name a Lease, naming the rule", async () => {
    await withGroup({ threads: 1, applications: [{ name: "once", mount: "/", entry: "once-fetch.mjs" }] }, async (group) => {
      const answer = await fresh(`${group.url}/?key=${encodeURIComponent("Resume_Tasks")}`);
      expect(answer.error).toBe(`once(key): "Resume_Tasks" is not a valid key: a key is 1 to 63 lowercase letters, digits and '-', starting and ending with a letter or digit (it names a Lease in a cluster)`);
    });
  });
});
