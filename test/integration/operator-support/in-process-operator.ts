import { randomBytes } from "node:crypto";
import { afterAll, beforeAll } from "vitest";
import { createLogger } from "../../../operator/src/observability/logger.ts";
import { Operator, type OperatorOptions } from "../../../operator/src/operator.ts";
import { kubeConfig } from "../support/control-plane.ts";
import { applyCrd } from "../support/crd.ts";
import { createTestNamespace, type NamespaceOptions, type TestNamespace } from "../support/namespace.ts";
import { until } from "../../support/until.ts";

/** Logs of in-process operators: silent unless PROCESSGROUP_TEST_LOG names a level. */
function testLogLevel() {
  const level = process.env["PROCESSGROUP_TEST_LOG"];
  return level === "debug" || level === "info" || level === "warn" || level === "error" || level === "trace" ? level : "silent";
}

export const TEST_RUNTIME_IMAGE = "registry.invalid/processgroup/runtime:test";

/** Short timings, so failures retry quickly; the rest as in production. */
export function testOperatorOptions(namespaces: readonly string[], overrides: Partial<OperatorOptions> = {}): OperatorOptions {
  return {
    kubeConfig: kubeConfig(),
    namespaces,
    workers: 4,
    resyncPeriodMs: 0,
    runtimeImage: TEST_RUNTIME_IMAGE,
    port: 0,
    host: "127.0.0.1",
    leaderElection: {
      enabled: false,
      namespace: namespaces[0] ?? "default",
      name: "processgroup-operator",
      identity: `test_${randomBytes(3).toString("hex")}`,
      timings: { leaseDurationMs: 3_000, renewDeadlineMs: 2_000, retryPeriodMs: 250 },
    },
    reconcileBackoff: { baseMs: 100, maxMs: 2_000 },
    watchBackoff: { baseMs: 100, maxMs: 2_000 },
    log: createLogger(testLogLevel()),
    processMetrics: false,
    ...overrides,
  };
}

/** Starts an operator watching only the given namespaces and waits until it reconciles. */
export async function startOperator(namespaces: readonly string[], overrides: Partial<OperatorOptions> = {}): Promise<Operator> {
  const operator = new Operator(testOperatorOptions(namespaces, overrides));
  await operator.start();
  await until("the operator's caches to sync", 30_000, async () => (operator.reconciling ? true : undefined));
  return operator;
}

export interface FileOperator {
  /** The file's namespace (set once beforeAll ran). */
  readonly namespace: string;
  readonly operator: Operator;
}

/**
 * For a test file: the CRD, a namespace of its own and an in-process operator watching only
 * that namespace, started before the file's tests and stopped after them.
 */
export function useOperator(hint: string, options: Partial<OperatorOptions> & NamespaceOptions = {}): FileOperator {
  let ns: TestNamespace | undefined;
  let operator: Operator | undefined;
  beforeAll(async () => {
    await applyCrd();
    const { pods, ...overrides } = options;
    ns = await createTestNamespace(hint, pods === undefined ? {} : { pods });
    operator = await startOperator([ns.name], overrides);
  });
  afterAll(async () => {
    await operator?.stop();
    await ns?.delete();
  });
  return {
    get namespace() {
      if (!ns) throw new Error("useOperator: the namespace exists only once beforeAll has run");
      return ns.name;
    },
    get operator() {
      if (!operator) throw new Error("useOperator: the operator runs only once beforeAll has run");
      return operator;
    },
  };
}
