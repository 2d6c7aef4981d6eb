export type Progress = (line: string) => void;

/**
 * Cleanup steps registered as things start, run newest first exactly once: at the end of a
 * run, after a failure, or on Ctrl-C. A step that fails is reported and the rest still run.
 */
export class Teardown {
  readonly #steps: { what: string; run: () => Promise<void> | void }[] = [];
  readonly #progress: Progress;
  #ran: Promise<void> | undefined;

  constructor(progress: Progress) {
    this.#progress = progress;
  }

  add(what: string, run: () => Promise<void> | void): void {
    this.#steps.push({ what, run });
  }

  run(): Promise<void> {
    this.#ran ??= (async () => {
      for (const step of this.#steps.reverse()) {
        try {
          await step.run();
        } catch (error) {
          this.#progress(`cleanup: ${step.what} failed: ${error instanceof Error ? error.message : String(error)}`);
        }
      }
    })();
    return this.#ran;
  }
}

/**
 * While installed, SIGINT/SIGTERM run the teardown and then exit (130/143); a second signal
 * exits at once, and the harness's exit hook then SIGKILLs the control plane. Returns the
 * uninstaller, so a caller (bench/run.ts) gets its own signal handling back afterwards.
 */
export function stopOnInterrupt(teardown: Teardown, progress: Progress): () => void {
  let interrupted = false;
  const onSignal = (signal: NodeJS.Signals): void => {
    const code = signal === "SIGINT" ? 130 : 143;
    if (interrupted) process.exit(code);
    interrupted = true;
    progress(`${signal}: stopping the operator and the control plane (again to exit at once)`);
    void teardown.run().finally(() => process.exit(code));
  };
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);
  return () => {
    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onSignal);
  };
}
