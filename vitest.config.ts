import { defineConfig, type TestProjectConfiguration } from "vitest/config";

// Real pods: a real kubelet, containerd and kube-proxy (cluster:up -- --kubelet), the
// images built from the Dockerfile, the chart installed with them (test/e2e). Linux and
// root only, and not yet part of a plain `vitest run` (npm test): PROCESSGROUP_E2E=1 adds
// it, which `npm run test:e2e` does. Files run one at a time: they share one small node.
const e2e: TestProjectConfiguration = {
  test: {
    name: "e2e",
    include: ["test/e2e/**/*.test.ts"],
    globalSetup: ["test/e2e/global-setup.ts"],
    fileParallelism: false,
    testTimeout: 240_000,
    hookTimeout: 240_000,
  },
};

// Five kinds of test, one command: pure unit tests (no I/O), the CLI as a user runs it,
// runtime tests (real HTTP on loopback), integration tests (a real etcd + kube-apiserver
// started once per run), and the chaos suite (faults under load; its quick form runs here,
// PROCESSGROUP_CHAOS=long runs the long form, see docs/reliability.md).
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: "unit",
          include: ["{bin,crds,operator,runtime}/**/*.test.ts", "test/unit/**/*.test.ts"],
        },
      },
      {
        test: {
          name: "cli",
          include: ["test/cli/**/*.test.ts"],
          testTimeout: 30_000,
        },
      },
      {
        test: {
          name: "runtime",
          include: ["test/runtime/**/*.test.ts"],
          testTimeout: 60_000,
          hookTimeout: 60_000,
        },
      },
      {
        test: {
          name: "integration",
          include: ["test/integration/**/*.test.ts"],
          globalSetup: ["test/controlplane/vitest-global-setup.ts"],
          testTimeout: 120_000,
          hookTimeout: 300_000,
        },
      },
      {
        test: {
          name: "chaos",
          include: ["test/chaos/**/*.test.ts"],
          // The specs and operator scenarios share one control plane, each in its own
          // namespace; a scenario that restarts an API server starts one of its own.
          globalSetup: ["test/controlplane/vitest-global-setup.ts"],
          testTimeout: 300_000,
          hookTimeout: 300_000,
        },
      },
      ...(process.env["PROCESSGROUP_E2E"] === "1" ? [e2e] : []),
    ],
  },
});
