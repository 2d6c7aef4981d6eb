import { stringify } from "yaml";
import { cluster, kubectlOk } from "./cluster.ts";

/** A ProcessGroup of the examples image's hello app; `processes` omitted means one, multiprocess false. */
export async function applyHelloGroup(namespace: string, name: string, spec: { processes?: number; threads?: number } = {}): Promise<void> {
  const group = {
    apiVersion: "processgroup.dev/v1alpha1",
    kind: "ProcessGroup",
    metadata: { name },
    spec: {
      image: cluster().images.examples,
      threads: spec.threads ?? 2,
      ...(spec.processes !== undefined && { processes: spec.processes }),
      applications: [{ name: "hello", mount: "/", entry: "apps/hello.mjs" }],
    },
  };
  await kubectlOk(["apply", "-n", namespace, "-f", "-"], stringify(group));
}
