// The operator half of the bench lives in bench/operator/ (its own engineer, its own code); it
// is imported only when it runs, so that a failure there leaves the runtime's numbers standing.
import type { OperatorSection } from "./results.ts";
import type { Mode } from "./runtime/plan.ts";

interface OperatorModule {
  benchOperator(opts: { mode: Mode; progress: (line: string) => void }): Promise<unknown>;
  // Called only with what benchOperator returned.
  operatorTable(result: unknown): string;
}

function isOperatorModule(value: unknown): value is OperatorModule {
  if (typeof value !== "object" || value === null) return false;
  const { benchOperator, operatorTable } = value as Record<string, unknown>;
  return typeof benchOperator === "function" && typeof operatorTable === "function";
}

/** The operator bench, imported only now so that its failure leaves the runtime's numbers standing. */
export async function runOperatorBench(mode: Mode, progress: (line: string) => void): Promise<OperatorSection> {
  let result: unknown;
  try {
    const module: unknown = await import(new URL("./operator/index.ts", import.meta.url).href);
    if (!isOperatorModule(module)) return { result: null, table: null, error: "bench/operator/index.ts does not export benchOperator and operatorTable" };
    result = await module.benchOperator({ mode, progress });
    return { result, table: module.operatorTable(result), error: null };
  } catch (error) {
    progress(`operator bench failed: ${(error as Error).message}`);
    return { result: result ?? null, table: null, error: (error as Error).message.split("\n")[0] ?? "failed" };
  }
}
