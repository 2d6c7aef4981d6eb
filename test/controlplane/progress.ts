// Harness progress goes to stderr so it never mixes with a command's real output
// (cli.ts prints the `export KUBECONFIG=...` line on stdout).
export type Progress = (message: string) => void;

export const stderrProgress: Progress = (message) => {
  process.stderr.write(`[controlplane] ${message}\n`);
};

export function secondsSince(started: number): string {
  return `${((performance.now() - started) / 1000).toFixed(1)}s`;
}
