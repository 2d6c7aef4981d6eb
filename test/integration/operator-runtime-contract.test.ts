import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, expect, test } from "vitest";
import { ENV, RUNTIME_COMMAND, RUNTIME_CONTAINER } from "../../crds/index.ts";
import { freePorts } from "../controlplane/ports.ts";
import { until } from "../support/until.ts";
import { useOperator } from "./operator-support/in-process-operator.ts";
import { clients, createGroup, deploymentWhere } from "./operator-support/process-groups.ts";

const repo = fileURLToPath(new URL("../../", import.meta.url));
const file = useOperator("operator-runtime");
let root: string;

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), "pg-app-"));
});

afterAll(async () => {
  if (root) await rm(root, { recursive: true, force: true });
});

test("the pod template the operator writes runs: the runtime started with its command and env serves the flags the Deployment states", async () => {
  const hello = await readFile(join(repo, "examples/apps/hello.mjs"), "utf8");
  await clients().core.createNamespacedConfigMap({ namespace: file.namespace, body: { metadata: { name: "hello-src" }, data: { "hello.mjs": hello } } });
  // The source root is a local folder, so the files can sit where the pod would mount the ConfigMap.
  await createGroup(file.namespace, "runnable", {
    processes: 2,
    threads: 3,
    source: { type: "ConfigMap", configMap: { name: "hello-src" }, root },
    applications: [{ name: "hello", mount: "/", entry: "hello.mjs" }],
  });
  const deployment = await deploymentWhere(file.namespace, "runnable", "created", () => true);
  const container = deployment.spec?.template?.spec?.containers?.find((c) => c.name === RUNTIME_CONTAINER);
  expect(container?.command).toEqual([...RUNTIME_COMMAND]);
  const mount = container?.volumeMounts?.find((m) => m.mountPath === root);
  expect(deployment.spec?.template?.spec?.volumes?.find((v) => v.name === mount?.name)?.configMap?.name).toBe("hello-src");

  // What the kubelet would do: mount the ConfigMap, resolve the downward API, give the pod its own ports.
  for (const [key, text] of Object.entries((await clients().core.readNamespacedConfigMap({ name: "hello-src", namespace: file.namespace })).data ?? {})) {
    await writeFile(join(root, key), text);
  }
  const [port = 0, adminPort = 0] = await freePorts(2);
  const fieldValues: Record<string, string> = { "metadata.namespace": file.namespace, "metadata.name": "runnable-pod-0" };
  const env: Record<string, string> = {};
  for (const e of container?.env ?? []) env[e.name] = e.value ?? fieldValues[e.valueFrom?.fieldRef?.fieldPath ?? ""] ?? "";
  env[ENV.port] = String(port);
  env[ENV.adminPort] = String(adminPort);

  const [program, ...args] = container?.command ?? [];
  expect(program).toBe("processgroup");
  const node = existsSync(join(repo, "node_modules/.bin/node")) ? join(repo, "node_modules/.bin/node") : process.execPath;
  const child = spawn(node, [join(repo, "bin/processgroup.js"), ...args], { env: { PATH: process.env["PATH"] ?? "", ...env }, stdio: ["ignore", "pipe", "pipe"] });
  let output = "";
  child.stdout.setEncoding("utf8").on("data", (c: string) => (output += c));
  child.stderr.setEncoding("utf8").on("data", (c: string) => (output += c));
  try {
    await until("the runtime to be ready on its readiness probe", 30_000, async () => {
      if (child.exitCode !== null) throw new Error(`the runtime exited with ${child.exitCode}:\n${output}`);
      const response = await fetch(`http://127.0.0.1:${adminPort}/readyz`).catch(() => undefined);
      return response?.status === 200 ? true : undefined;
    });
    const answer = (await (await fetch(`http://127.0.0.1:${port}/`)).json()) as Record<string, unknown>;
    expect(answer).toMatchObject({
      processGroup: "runnable",
      multiprocess: env[ENV.multiprocess] === "true",
      multithread: env[ENV.multithread] === "true",
      threads: Number(env[ENV.threads]),
    });
    expect(answer).toMatchObject({ multiprocess: true, multithread: true, threads: 3 });
  } finally {
    child.kill("SIGTERM");
    await new Promise((resolve) => (child.exitCode !== null ? resolve(undefined) : child.once("exit", resolve)));
  }
});
