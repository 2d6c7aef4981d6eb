import { describe, expect, test } from "vitest";
import { Scheduler, type Command, type SchedulerOptions } from "./scheduler.ts";

/** Time that moves only when a step says so. */
function manualClock() {
  let now = 0;
  return { now: () => now, advance: (ms: number) => (now += ms) };
}

type Event =
  | readonly ["join", string]
  | readonly ["leave", string]
  | readonly ["submit", string]
  | readonly ["finish", string]
  | readonly ["withdraw", string]
  /** Moves the clock, then tells the scheduler that time passed. */
  | readonly ["wait", number]
  | readonly ["clear"]
  /** The thread holding the job wins its claim (it had room the scheduler did not know of yet). */
  | readonly ["claim", string]
  /** The thread has yet to read its last offers: it cannot be offered another (its cells are taken). */
  | readonly ["unread", string]
  | readonly ["read", string];

/** A step: an event and what the scheduler must answer, each command as `render` spells it. */
type Step = readonly [Event, readonly string[]];

function render(command: Command<string, string>): string {
  const waited = command.waitedMs === undefined ? "" : ` after ${command.waitedMs} ms`;
  if (command.kind !== "answer") return `${command.kind} ${command.job} on ${command.thread}${waited}`;
  const retry = command.headers["retry-after"] === undefined ? "" : ` retry-after ${command.headers["retry-after"]}`;
  return `answer ${command.job} ${command.status}${retry}${waited}`;
}

type Options = Partial<Omit<SchedulerOptions<string, string>, "clock" | "holdable" | "revoke">> & {
  /** Full threads hold bodyless jobs: every job but those named post*. */
  readonly hold?: boolean;
};

function play({ hold, ...options }: Options, steps: readonly Step[]) {
  const clock = manualClock();
  // Jobs whose thread won the claim: revoking them fails; a revoked one can never be claimed.
  const claimed = new Set<string>();
  const revoked = new Set<string>();
  const unread = new Set<string>();
  const holding = hold
    ? {
        canHold: (thread: string) => !unread.has(thread),
        holdable: (job: string) => !job.startsWith("post"),
        revoke: (_thread: string, job: string) => {
          if (claimed.has(job)) return false;
          revoked.add(job);
          return true;
        },
      }
    : {};
  const scheduler = new Scheduler<string, string>({ group: "g", concurrency: 1, queueCapacity: 10, queueTimeoutMs: undefined, ...options, ...holding, clock });
  for (const [index, [event, expected]] of steps.entries()) {
    let commands: Command<string, string>[] = [];
    switch (event[0]) {
      case "join":
        commands = scheduler.join(event[1]);
        break;
      case "leave":
        commands = scheduler.leave(event[1]);
        break;
      case "submit":
        commands = scheduler.submit(event[1]);
        break;
      case "finish":
        commands = scheduler.finished(event[1]);
        break;
      case "withdraw":
        commands = scheduler.withdraw(event[1]);
        break;
      case "wait":
        clock.advance(event[1]);
        commands = scheduler.expire();
        break;
      case "clear":
        commands = scheduler.clear(503, "closing");
        break;
      case "claim":
        if (!revoked.has(event[1])) claimed.add(event[1]);
        break;
      case "unread":
        unread.add(event[1]);
        break;
      case "read":
        unread.delete(event[1]);
        break;
    }
    expect(commands.map(render), `step ${index + 1}: ${event.join(" ")}`).toEqual(expected);
  }
  return scheduler;
}

interface Case {
  readonly name: string;
  readonly options?: Options;
  readonly steps: readonly Step[];
}

const cases: readonly Case[] = [
  {
    name: "runs a request at once on a thread with room",
    steps: [
      [["join", "A"], []],
      [["submit", "r1"], ["run r1 on A"]],
    ],
  },
  {
    name: "queues while every thread is full and serves the queue first come first served",
    steps: [
      [["join", "A"], []],
      [["submit", "r1"], ["run r1 on A"]],
      [["submit", "r2"], []],
      [["wait", 10], []],
      [["submit", "r3"], []],
      [["wait", 5], []],
      [["finish", "A"], ["run r2 on A after 15 ms"]],
      [["finish", "A"], ["run r3 on A after 5 ms"]],
      [["finish", "A"], []],
    ],
  },
  {
    name: "queues requests that arrive before any thread is ready and gives them to the threads as they join",
    steps: [
      [["submit", "r1"], []],
      [["submit", "r2"], []],
      [["submit", "r3"], []],
      [["wait", 40], []],
      [["join", "A"], ["run r1 on A after 40 ms"]],
      [["join", "B"], ["run r2 on B after 40 ms"]],
    ],
  },
  {
    name: "answers 503 with Retry-After once listenBacklog requests wait, and takes one again when one leaves the queue",
    options: { queueCapacity: 2 },
    steps: [
      [["join", "A"], []],
      [["submit", "r1"], ["run r1 on A"]],
      [["submit", "r2"], []],
      [["submit", "r3"], []],
      [["submit", "r4"], ["answer r4 503 retry-after 1"]],
      [["finish", "A"], ["run r2 on A after 0 ms"]],
      [["submit", "r5"], []],
      [["submit", "r6"], ["answer r6 503 retry-after 1"]],
    ],
  },
  {
    name: "answers a waiting request 503 at its queue timeout, whatever it is, and only at it",
    options: { queueTimeoutMs: 2_000 },
    steps: [
      [["join", "A"], []],
      [["submit", "blocked"], ["run blocked on A"]],
      [["submit", "get"], []],
      [["wait", 500], []],
      [["submit", "post"], []],
      [["wait", 1_499], []],
      [["wait", 1], ["answer get 503 retry-after 1 after 2000 ms"]],
      [["wait", 499], []],
      [["wait", 1], ["answer post 503 retry-after 1 after 2000 ms"]],
      [["finish", "A"], []],
    ],
  },
  {
    name: "answers at once every request that waited past its deadline when time jumps",
    options: { queueTimeoutMs: 100 },
    steps: [
      [["submit", "r1"], []],
      [["wait", 50], []],
      [["submit", "r2"], []],
      [["wait", 20], []],
      [["submit", "r3"], []],
      [["wait", 80], ["answer r1 503 retry-after 1 after 150 ms", "answer r2 503 retry-after 1 after 100 ms"]],
      [["join", "A"], ["run r3 on A after 80 ms"]],
    ],
  },
  {
    name: "a request that got a thread in time does not time out",
    options: { queueTimeoutMs: 100 },
    steps: [
      [["join", "A"], []],
      [["submit", "r1"], ["run r1 on A"]],
      [["submit", "r2"], []],
      [["wait", 99], []],
      [["finish", "A"], ["run r2 on A after 99 ms"]],
      [["wait", 1_000], []],
    ],
  },
  {
    name: "withdraws a waiting request: it is never run nor timed out, and the next one moves up",
    options: { queueTimeoutMs: 100 },
    steps: [
      [["join", "A"], []],
      [["submit", "r1"], ["run r1 on A"]],
      [["submit", "r2"], []],
      [["submit", "r3"], []],
      [["withdraw", "r2"], []],
      [["withdraw", "r2"], []],
      [["withdraw", "r1"], []],
      [["finish", "A"], ["run r3 on A after 0 ms"]],
      [["wait", 200], []],
    ],
  },
  {
    name: "a thread that leaves takes no more requests; what waits goes to the next thread with room",
    steps: [
      [["join", "A"], []],
      [["join", "B"], []],
      [["submit", "r1"], ["run r1 on B"]],
      [["submit", "r2"], ["run r2 on A"]],
      [["submit", "r3"], []],
      [["leave", "A"], []],
      // The request A still runs ends: A is gone, so its room goes nowhere.
      [["finish", "A"], []],
      [["finish", "B"], ["run r3 on B after 0 ms"]],
    ],
  },
  {
    name: "a waiting request outlives every thread and runs on the one that replaces them",
    steps: [
      [["join", "A"], []],
      [["submit", "r1"], ["run r1 on A"]],
      [["submit", "r2"], []],
      [["leave", "A"], []],
      [["wait", 30], []],
      [["join", "A2"], ["run r2 on A2 after 30 ms"]],
    ],
  },
  {
    name: "a blocked thread holds nothing: the first thread to finish takes the waiting request",
    steps: [
      [["join", "A"], []],
      [["join", "B"], []],
      [["submit", "slow"], ["run slow on B"]],
      [["submit", "loop"], ["run loop on A"]],
      [["submit", "short"], []],
      [["finish", "B"], ["run short on B after 0 ms"]],
    ],
  },
  {
    name: "a thread finishing while requests wait takes exactly as many as it has room for",
    options: { concurrency: 2 },
    steps: [
      [["join", "A"], []],
      [["submit", "r1"], ["run r1 on A"]],
      [["submit", "r2"], ["run r2 on A"]],
      [["submit", "r3"], []],
      [["submit", "r4"], []],
      [["finish", "A"], ["run r3 on A after 0 ms"]],
      [["finish", "A"], ["run r4 on A after 0 ms"]],
      [["finish", "A"], []],
    ],
  },
  {
    name: "runs up to concurrency requests on a thread, spreading them over the least loaded threads",
    options: { concurrency: 3 },
    steps: [
      [["join", "A"], []],
      [["join", "B"], []],
      [["submit", "r1"], ["run r1 on B"]],
      [["submit", "r2"], ["run r2 on A"]],
      [["submit", "r3"], ["run r3 on B"]],
      [["submit", "r4"], ["run r4 on A"]],
      [["finish", "A"], []],
      [["submit", "r5"], ["run r5 on A"]],
      [["submit", "r6"], ["run r6 on A"]],
      [["submit", "r7"], ["run r7 on B"]],
      [["submit", "r8"], []],
      [["finish", "B"], ["run r8 on B after 0 ms"]],
    ],
  },
  {
    name: "gives a request to the thread that had room last (its caches are warm) among equally idle ones",
    steps: [
      [["join", "A"], []],
      [["join", "B"], []],
      [["join", "C"], []],
      [["submit", "r1"], ["run r1 on C"]],
      [["submit", "r2"], ["run r2 on B"]],
      [["finish", "C"], []],
      [["finish", "B"], []],
      [["submit", "r3"], ["run r3 on B"]],
      [["submit", "r4"], ["run r4 on C"]],
    ],
  },
  {
    name: "a thread that joins twice counts once, and a finish it does not owe changes nothing",
    steps: [
      [["join", "A"], []],
      [["finish", "A"], []],
      [["submit", "r1"], ["run r1 on A"]],
      [["join", "A"], []],
      [["submit", "r2"], []],
      [["finish", "B"], []],
    ],
  },
  {
    name: "clear answers everything that waits, and nothing that runs",
    steps: [
      [["join", "A"], []],
      [["submit", "r1"], ["run r1 on A"]],
      [["submit", "r2"], []],
      [["wait", 7], []],
      [["clear"], ["answer r2 503"]],
      [["finish", "A"], []],
    ],
  },
];

/** A full thread holding a waiting request, and every race of taking it back. */
const holdCases: readonly Case[] = [
  {
    name: "a full thread holds a bodyless request and runs it once it wins the claim",
    steps: [
      [["join", "A"], []],
      [["submit", "r1"], ["run r1 on A"]],
      [["submit", "r2"], ["hold r2 on A"]],
      [["wait", 5], []],
      [["claim", "r2"], []],
      [["finish", "A"], ["started r2 on A after 5 ms"]],
      [["finish", "A"], []],
    ],
  },
  {
    name: "a thread that ended a request starts what it held even if it has not claimed it yet",
    steps: [
      [["join", "A"], []],
      [["submit", "r1"], ["run r1 on A"]],
      [["submit", "r2"], ["hold r2 on A"]],
      [["wait", 3], []],
      [["finish", "A"], ["started r2 on A after 3 ms"]],
      [["finish", "A"], []],
    ],
  },
  {
    name: "a thread that has yet to read its last offers is offered no more: the next request waits in the queue",
    steps: [
      [["join", "A"], []],
      [["submit", "r1"], ["run r1 on A"]],
      [["submit", "r2"], ["hold r2 on A"]],
      [["unread", "A"], []],
      [["submit", "r3"], []],
      [["finish", "A"], ["started r2 on A after 0 ms"]],
      [["read", "A"], []],
      [["submit", "r4"], []],
      [["finish", "A"], ["run r3 on A after 0 ms", "hold r4 on A"]],
    ],
  },
  {
    name: "a request with a body is never held, and a newcomer joins the queue instead of jumping it",
    steps: [
      [["join", "A"], []],
      [["submit", "r1"], ["run r1 on A"]],
      [["submit", "post1"], []],
      [["submit", "r2"], []],
      // The thread is awake and full again: it holds the next in line.
      [["finish", "A"], ["run post1 on A after 0 ms", "hold r2 on A"]],
    ],
  },
  {
    name: "after starting what it held, a thread holds the next waiting request",
    steps: [
      [["join", "A"], []],
      [["submit", "r1"], ["run r1 on A"]],
      [["submit", "r2"], ["hold r2 on A"]],
      [["submit", "r3"], []],
      [["claim", "r2"], []],
      [["finish", "A"], ["started r2 on A after 0 ms", "hold r3 on A"]],
    ],
  },
  {
    name: "a request held by a blocked thread is taken back for the first thread with room",
    steps: [
      [["join", "A"], []],
      [["join", "B"], []],
      [["submit", "slow"], ["run slow on B"]],
      [["submit", "loop"], ["run loop on A"]],
      [["submit", "short"], ["hold short on A"]],
      [["wait", 800], []],
      [["finish", "B"], ["run short on B after 800 ms"]],
    ],
  },
  {
    name: "the race for a held request lost: its holder had started it, and the free thread takes the next",
    steps: [
      [["join", "A"], []],
      [["join", "B"], []],
      [["submit", "r1"], ["run r1 on B"]],
      [["submit", "r2"], ["run r2 on A"]],
      [["submit", "r3"], ["hold r3 on A"]],
      [["claim", "r3"], []],
      [["finish", "B"], ["started r3 on A after 0 ms"]],
      [["submit", "r4"], ["run r4 on B"]],
      // The end of r2, which made the room r3 took, arrives: A still runs r3.
      [["finish", "A"], []],
      [["submit", "r5"], ["hold r5 on A"]],
      [["finish", "A"], ["started r5 on A after 0 ms"]],
    ],
  },
  {
    name: "the oldest waiting request goes first: a held one before a younger one in the queue",
    steps: [
      [["join", "A"], []],
      [["join", "B"], []],
      [["submit", "r1"], ["run r1 on B"]],
      [["submit", "r2"], ["run r2 on A"]],
      [["submit", "old"], ["hold old on A"]],
      [["wait", 10], []],
      [["submit", "post1"], []],
      [["finish", "B"], ["run old on B after 10 ms"]],
      [["finish", "A"], ["run post1 on A after 0 ms"]],
    ],
  },
  {
    name: "the queue timeout answers a held GET at its deadline although its thread is blocked, like a POST",
    options: { queueTimeoutMs: 2_000 },
    steps: [
      [["join", "A"], []],
      [["submit", "loop"], ["run loop on A"]],
      [["submit", "get"], ["hold get on A"]],
      [["wait", 500], []],
      [["submit", "post"], []],
      [["wait", 1_499], []],
      [["wait", 1], ["answer get 503 retry-after 1 after 2000 ms"]],
      [["wait", 500], ["answer post 503 retry-after 1 after 2000 ms"]],
    ],
  },
  {
    name: "a held request its thread claimed before the deadline runs instead of timing out",
    options: { queueTimeoutMs: 100 },
    steps: [
      [["join", "A"], []],
      [["submit", "r1"], ["run r1 on A"]],
      [["submit", "r2"], ["hold r2 on A"]],
      [["claim", "r2"], []],
      [["wait", 100], ["started r2 on A after 100 ms"]],
      [["finish", "A"], []],
      [["finish", "A"], []],
    ],
  },
  {
    name: "withdrawing a held request takes it back and answers it; one already claimed runs (the front aborts it)",
    steps: [
      [["join", "A"], []],
      [["submit", "r1"], ["run r1 on A"]],
      [["submit", "r2"], ["hold r2 on A"]],
      [["withdraw", "r2"], ["answer r2 503"]],
      [["submit", "r3"], ["hold r3 on A"]],
      [["claim", "r3"], []],
      [["withdraw", "r3"], ["started r3 on A after 0 ms"]],
    ],
  },
  {
    name: "a thread leaving with a held request: the request goes first in line, to the next thread with room",
    steps: [
      [["join", "A"], []],
      [["join", "B"], []],
      [["submit", "r1"], ["run r1 on B"]],
      [["submit", "r2"], ["run r2 on A"]],
      [["submit", "r3"], ["hold r3 on A"]],
      [["wait", 10], []],
      [["submit", "r4"], ["hold r4 on B"]],
      [["leave", "A"], []],
      // B starts what it held; r3, back first in line, is the next B holds.
      [["finish", "B"], ["started r4 on B after 0 ms", "hold r3 on B"]],
    ],
  },
  {
    name: "a thread leaving with a held request it claimed: the request runs there to its end",
    steps: [
      [["join", "A"], []],
      [["submit", "r1"], ["run r1 on A"]],
      [["submit", "r2"], ["hold r2 on A"]],
      [["claim", "r2"], []],
      [["leave", "A"], ["started r2 on A after 0 ms"]],
    ],
  },
  {
    name: "a joining thread takes the request another thread holds",
    steps: [
      [["join", "A"], []],
      [["submit", "r1"], ["run r1 on A"]],
      [["submit", "r2"], ["hold r2 on A"]],
      [["wait", 50], []],
      [["join", "B"], ["run r2 on B after 50 ms"]],
    ],
  },
  {
    name: "held requests count against listenBacklog",
    options: { queueCapacity: 2 },
    steps: [
      [["join", "A"], []],
      [["submit", "r1"], ["run r1 on A"]],
      [["submit", "r2"], ["hold r2 on A"]],
      [["submit", "r3"], []],
      [["submit", "r4"], ["answer r4 503 retry-after 1"]],
    ],
  },
  {
    name: "clear answers a held request unless its thread claimed it",
    steps: [
      [["join", "A"], []],
      [["join", "B"], []],
      [["submit", "r1"], ["run r1 on B"]],
      [["submit", "r2"], ["run r2 on A"]],
      [["submit", "r3"], ["hold r3 on A"]],
      [["finish", "B"], ["run r3 on B after 0 ms"]],
      [["submit", "r4"], ["hold r4 on A"]],
      [["submit", "r5"], ["hold r5 on B"]],
      [["claim", "r5"], []],
      [["clear"], ["answer r4 503", "started r5 on B after 0 ms"]],
    ],
  },
  {
    name: "with concurrency, a thread holds one request only once all its rooms are taken",
    options: { concurrency: 2 },
    steps: [
      [["join", "A"], []],
      [["submit", "r1"], ["run r1 on A"]],
      [["submit", "r2"], ["run r2 on A"]],
      [["submit", "r3"], ["hold r3 on A"]],
      [["submit", "r4"], []],
      [["claim", "r3"], []],
      [["finish", "A"], ["started r3 on A after 0 ms", "hold r4 on A"]],
    ],
  },
];

describe("Scheduler", () => {
  test.each(cases)("$name", ({ options, steps }) => {
    play(options ?? {}, steps);
  });

  test.each(holdCases)("$name", ({ options, steps }) => {
    play({ hold: true, ...options }, steps);
  });

  test("without a way to revoke, it never holds a request", () => {
    play({}, [
      [["join", "A"], []],
      [["submit", "r1"], ["run r1 on A"]],
      [["submit", "r2"], []],
      [["finish", "A"], ["run r2 on A after 0 ms"]],
    ]);
  });

  test("says when the oldest waiting request times out, and nothing without a timeout", () => {
    const clock = manualClock();
    const timed = new Scheduler<string, string>({ group: "g", concurrency: 1, queueCapacity: 5, queueTimeoutMs: 100, clock });
    expect(timed.nextDeadline).toBeUndefined();
    clock.advance(10);
    timed.submit("r1");
    clock.advance(30);
    timed.submit("r2");
    expect(timed.nextDeadline).toBe(110);
    timed.withdraw("r1");
    expect(timed.nextDeadline).toBe(140);
    const untimed = new Scheduler<string, string>({ group: "g", concurrency: 1, queueCapacity: 5, queueTimeoutMs: undefined, clock });
    untimed.submit("r1");
    expect(untimed.nextDeadline).toBeUndefined();
  });

  test("counts what each thread runs and what waits", () => {
    const scheduler = play({ concurrency: 2 }, [
      [["join", "A"], []],
      [["submit", "r1"], ["run r1 on A"]],
      [["submit", "r2"], ["run r2 on A"]],
      [["submit", "r3"], []],
    ]);
    expect([scheduler.load("A"), scheduler.load("B"), scheduler.queueLength]).toEqual([2, 0, 1]);
  });

  test("names the group and the rule in its answers", () => {
    const clock = manualClock();
    const scheduler = new Scheduler<string, string>({ group: "shop", concurrency: 1, queueCapacity: 1, queueTimeoutMs: 2_000, clock });
    scheduler.submit("r1");
    expect(scheduler.submit("r2")).toMatchObject([{ message: "all threads of application group shop are busy and 1 requests are already waiting (listenBacklog)" }]);
    clock.advance(2_000);
    expect(scheduler.expire()).toMatchObject([{ message: "no thread of application group shop became free within the queue timeout (2000 ms)" }]);
  });

  test("refuses a concurrency that is not a whole number >= 1", () => {
    for (const concurrency of [0, -1, 1.5, Number.NaN]) {
      expect(() => new Scheduler<string, string>({ group: "g", concurrency, queueCapacity: 1, queueTimeoutMs: undefined, clock: manualClock() })).toThrow(/concurrency must be a whole number >= 1/);
    }
  });
});
