// The names of the operator-runtime contract's variables (contract.ts), in a file of their
// own without imports: a worker thread reads them without loading zod and the schema.

export const ENV = {
  name: "PROCESSGROUP_NAME",
  namespace: "PROCESSGROUP_NAMESPACE",
  podName: "PROCESSGROUP_POD_NAME",
  revision: "PROCESSGROUP_REVISION",
  uid: "PROCESSGROUP_UID",
  threads: "PROCESSGROUP_THREADS",
  concurrency: "PROCESSGROUP_CONCURRENCY",
  multiprocess: "PROCESSGROUP_MULTIPROCESS",
  multithread: "PROCESSGROUP_MULTITHREAD",
  port: "PROCESSGROUP_PORT",
  adminPort: "PROCESSGROUP_ADMIN_PORT",
  config: "PROCESSGROUP_CONFIG",
} as const;
