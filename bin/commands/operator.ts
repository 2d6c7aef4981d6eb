import { CommandError, UsageError, type Command } from "../command.ts";

export const operator: Command = {
  name: "operator",
  summary: "Run the ProcessGroup operator against the current kubeconfig (in-cluster config in a pod).",
  usage: "operator [--kubeconfig FILE] [--namespaces NS,...] [--concurrency N] [--metrics-port PORT] [--leader-elect true|false] [--log-level LEVEL]",
  description:
    "Watch ProcessGroups and reconcile each into a Deployment, a Service, (with spec.route) an Ingress and\nthe pods' ServiceAccount and Role (env.once()), reporting status, conditions and events. Serves\n/healthz, /readyz and /metrics on --metrics-port. Runs until SIGTERM or SIGINT, then finishes the\nreconciles in flight and releases the leader lease.",
  options: {
    kubeconfig: { type: "string", valueName: "FILE", description: "Kubeconfig file (default: $KUBECONFIG, ~/.kube/config, or the in-cluster config)." },
    namespaces: { type: "string", short: "n", multiple: true, valueName: "NS,...", description: "Watch only these namespaces (comma-separated or repeated; default: all namespaces)." },
    concurrency: { type: "string", valueName: "N", default: "4", description: "ProcessGroups reconciled in parallel (one key is never reconciled twice at once)." },
    "metrics-port": { type: "string", valueName: "PORT", default: "8081", description: "Port of /healthz, /readyz and /metrics (0: any free port)." },
    "bind-address": { type: "string", valueName: "ADDR", default: "0.0.0.0", description: "Address the health and metrics port listens on." },
    "leader-elect": { type: "string", valueName: "true|false", default: "true", description: "Elect a leader through a coordination.k8s.io Lease; only the leader reconciles." },
    "lease-namespace": { type: "string", valueName: "NS", description: "Namespace of the Lease (default: the operator pod's namespace, else default)." },
    "lease-name": { type: "string", valueName: "NAME", default: "processgroup-operator", description: "Name of the Lease." },
    "lease-duration": { type: "string", valueName: "SECONDS", default: "15", description: "How long candidates wait for a lease that is not renewed." },
    "renew-deadline": { type: "string", valueName: "SECONDS", default: "10", description: "The leader steps down when it cannot renew for this long." },
    "retry-period": { type: "string", valueName: "SECONDS", default: "2", description: "Pause between attempts to acquire or renew the lease." },
    "resync-period": { type: "string", valueName: "SECONDS", default: "300", description: "Reconcile every ProcessGroup this often even without events (0: never)." },
    "runtime-image": { type: "string", valueName: "IMAGE", description: "Runtime image for groups without spec.image." },
    identity: { type: "string", valueName: "ID", description: "Name of this replica in the Lease (default: hostname and a random suffix)." },
    "log-level": { type: "string", valueName: "LEVEL", default: "info", description: "fatal, error, warn, info, debug, trace or silent." },
    "log-format": { type: "string", valueName: "FORMAT", description: "json or pretty (default: pretty when stdout is a terminal, else json)." },
  },
  async run(values) {
    const { runOperator } = await import("../../operator/src/main.ts");
    const result = await runOperator(values);
    if (!result.ok) throw "usage" in result ? new UsageError(result.usage) : new CommandError(result.error);
    return 0;
  },
};
