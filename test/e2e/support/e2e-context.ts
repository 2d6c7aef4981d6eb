/** What the e2e global setup hands every test file: a real-node cluster with our images in it. */
export interface E2eCluster {
  kubeconfig: string;
  kubectl: string;
  registry: string;
  images: { operator: string; runtime: string; examples: string };
  /** The chart's release, installed by the global setup in a restricted namespace. */
  operator: { namespace: string; release: string };
  logDir: string;
}

declare module "vitest" {
  export interface ProvidedContext {
    e2eCluster: E2eCluster;
  }
}
