import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { freePorts } from "../controlplane/ports.ts";
import { FIXTURES, withGroup } from "./support/harness.ts";
import { groupFile, spawnCli, waitReady, withServed } from "./support/spawned.ts";

const fixture = (name: string) => fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url));

// Every kind of app (fetch-style, Node listener, an unmodified `node server.js` script) reads
// the flags from process.env the same way, and spec.env with them, under `serve` and `run`.
const applications = [
  { name: "fetch", mount: "/fetch", entry: "flags-fetch.mjs" },
  { name: "listener", mount: "/listener", entry: "flags-listener.mjs", applicationGroup: "listeners" },
  { name: "server", mount: "/server", entry: "flags-server.mjs", applicationGroup: "%{GLOBAL}" },
];
const groupOf = { fetch: "fetch", listener: "listeners", server: "%{GLOBAL}" } as const;

async function flagsOfEach(url: string): Promise<Record<string, Record<string, unknown>>> {
  const answers = await Promise.all(Object.keys(groupOf).map(async (name) => [name, (await (await fetch(`${url}/${name}/`)).json()) as Record<string, unknown>] as const));
  return Object.fromEntries(answers);
}

function expectFlags(answers: Record<string, Record<string, unknown>>, expected: Record<string, unknown>): void {
  for (const [name, group] of Object.entries(groupOf)) {
    expect(answers[name], name).toMatchObject({ kind: name, ...expected, APPLICATION_GROUP: group });
  }
}

describe("the flags in every app's process.env", () => {
  it("are there for each kind of app in its own application group, with spec.env", async () => {
    await withGroup(
      { threads: 2, concurrency: 4, applications },
      async (group) => {
        expectFlags(await flagsOfEach(group.url), { MULTIPROCESS: "false", MULTITHREAD: "true", THREADS: "2", CONCURRENCY: "4", PROCESS_GROUP: "test", MYVAR: "from spec.env" });
        // The runtime's own process is not changed: only the app's threads see the variables.
        expect(process.env["PROCESSGROUP_APPLICATION_GROUP"]).toBeUndefined();
      },
      { environment: { MYVAR: "from spec.env" } },
    );
  });

  it("let a listener app reach the group's shared store through `import { shared } from \"processgroup\"`", async () => {
    await withGroup({ threads: 2, applications }, async (group) => {
      const hits = [];
      for (let i = 0; i < 6; i++) hits.push(((await (await group.get("/listener/")).json()) as { hits: number }).hits);
      expect(hits).toEqual([1, 2, 3, 4, 5, 6]);
    });
  });

  it("are there under processgroup serve, with spec.env as in a pod", async () => {
    const file = await groupFile(`
apiVersion: processgroup.dev/v1alpha1
kind: ProcessGroup
metadata:
  name: flagged
spec:
  processes: 1
  threads: 3
  concurrency: 5
  env:
    - name: MYVAR
      value: hello
  applications:
${applications.map((a) => `    - {name: ${a.name}, mount: ${a.mount}, entry: ${fixture(a.entry)}${a.applicationGroup ? `, applicationGroup: "${a.applicationGroup}"` : ""}}`).join("\n")}
`);
    await withServed(file, async ({ url }) => {
      expectFlags(await flagsOfEach(url), {
        MULTIPROCESS: "true",
        MULTITHREAD: "true",
        THREADS: "3",
        CONCURRENCY: "5",
        PROCESS_GROUP: "flagged",
        MYVAR: "hello",
      });
    });
  });

  it("are there under processgroup run, next to the pod's spec.env", async () => {
    const [port, adminPort] = await freePorts(2);
    const running = spawnCli(["run"], {
      PROCESSGROUP_NAME: "podded",
      PROCESSGROUP_THREADS: "1",
      PROCESSGROUP_CONCURRENCY: "2",
      PROCESSGROUP_MULTIPROCESS: "true",
      PROCESSGROUP_MULTITHREAD: "false",
      PROCESSGROUP_PORT: String(port),
      PROCESSGROUP_ADMIN_PORT: String(adminPort),
      PROCESSGROUP_CONFIG: JSON.stringify({ threads: 1, root: FIXTURES, applications }),
      MYVAR: "from the pod",
    });
    try {
      await waitReady(`http://127.0.0.1:${adminPort}`);
      expectFlags(await flagsOfEach(`http://127.0.0.1:${port}`), {
        MULTIPROCESS: "true",
        MULTITHREAD: "false",
        THREADS: "1",
        CONCURRENCY: "2",
        PROCESS_GROUP: "podded",
        MYVAR: "from the pod",
      });
    } finally {
      running.child.kill("SIGKILL");
    }
  });
});
