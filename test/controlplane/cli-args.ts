import { parseArgs } from "node:util";
import { z } from "zod";
import { profileSchema, type Profile } from "./control-plane-state.ts";

export const CLUSTER_USAGE = `Usage: npm run cluster:up|cluster:down -- [options]
       node test/controlplane/cli.ts up|down|status [options]

  up       start the test control plane in the background and print its export KUBECONFIG=... line
  down     stop exactly the processes \`up\` recorded (logs are kept)
  status   list them, running or not; exits 1 when one is gone

Options:
  --profile full|apiserver   full (default): etcd, kube-apiserver, controller-manager, scheduler, kwok;
                             apiserver: etcd and kube-apiserver only
  --kubelet                  a real node (containerd, kubelet, kube-proxy, a local registry) instead of kwok's
  --dir DIR                  where its state and logs live (default .cluster)
  -h, --help                 this text`;

const commandSchema = z.enum(["up", "down", "status"]);

export type ClusterArgs =
  | { readonly kind: "help" }
  | { readonly kind: "error"; readonly message: string }
  | { readonly kind: "run"; readonly command: z.infer<typeof commandSchema>; readonly profile: Profile; readonly dir: string; readonly kubelet: boolean };

/** The control-plane CLI's arguments, or the one thing wrong with them (never a throw). */
export function parseClusterArgs(argv: readonly string[]): ClusterArgs {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      allowPositionals: true,
      options: {
        profile: { type: "string", default: "full" },
        dir: { type: "string", default: ".cluster" },
        kubelet: { type: "boolean", default: false },
        help: { type: "boolean", short: "h", default: false },
      },
    });
  } catch (error) {
    return { kind: "error", message: error instanceof Error ? error.message : String(error) };
  }
  const { positionals, values } = parsed;
  if (values.help) return { kind: "help" };
  if (positionals.length !== 1) return { kind: "error", message: `expected one command (up, down or status), got ${positionals.length === 0 ? "none" : positionals.join(" ")}` };
  const command = commandSchema.safeParse(positionals[0]);
  if (!command.success) return { kind: "error", message: `unknown command "${positionals[0]}": expected up, down or status` };
  const profile = profileSchema.safeParse(values.profile);
  if (!profile.success) return { kind: "error", message: `--profile: "${values.profile}" is not one of full, apiserver` };
  if (values.kubelet && profile.data !== "full") return { kind: "error", message: "--kubelet needs --profile full: the real node joins the full profile's scheduler and controller-manager" };
  return { kind: "run", command: command.data, profile: profile.data, dir: values.dir, kubelet: values.kubelet };
}
