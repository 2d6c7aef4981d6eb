// Usage: npx node bench/operator/main.ts --quick|--full [--json FILE] [--help]
// Progress goes to stderr, the markdown table to stdout.
import { writeFile } from "node:fs/promises";
import { parseArgs } from "node:util";
import { z } from "zod";
import { benchOperator, operatorTable } from "./index.ts";

const usage = `Usage: node bench/operator/main.ts --quick|--full [--json FILE]

Starts a full control plane (etcd, kube-apiserver, kube-controller-manager, kube-scheduler,
kwok) on loopback and the operator as a child process, then measures:
  1. N ProcessGroups: create -> Deployment exists and status.observedGeneration is current
  2. N plain Deployments: create -> kube-controller-manager's ReplicaSet exists (the yardstick)
  3. the operator's writes per minute with nothing changing
  4. the operator's RSS at N
--quick: N=100, a 60 s steady window (about 3 minutes). --full: N=1000, 150 s (longer).
--json FILE also writes the result as JSON.
`;

const Args = z
  .object({ quick: z.boolean().optional(), full: z.boolean().optional(), json: z.string().optional(), help: z.boolean().optional() })
  .refine((a) => a.help === true || (a.quick === true) !== (a.full === true), { error: "give exactly one of --quick and --full" });

async function main(): Promise<number> {
  let args: z.output<typeof Args>;
  try {
    const { values } = parseArgs({ options: { quick: { type: "boolean" }, full: { type: "boolean" }, json: { type: "string" }, help: { type: "boolean", short: "h" } } });
    args = Args.parse(values);
  } catch (error) {
    const message = error instanceof z.ZodError ? error.issues.map((i) => i.message).join("; ") : error instanceof Error ? error.message : String(error);
    process.stderr.write(`${message}\n\n${usage}`);
    return 2;
  }
  if (args.help === true) {
    process.stdout.write(usage);
    return 0;
  }
  const result = await benchOperator({ mode: args.full === true ? "full" : "quick", progress: (line) => process.stderr.write(`[bench operator] ${line}\n`) });
  if (args.json !== undefined) await writeFile(args.json, `${JSON.stringify(result, null, 2)}\n`);
  process.stdout.write(`${operatorTable(result)}\n`);
  return 0;
}

process.exitCode = await main();
