/** Faults of each kind injected, and those whose outcome was not the one the runtime owes. */
export class FaultTally {
  readonly #sent = new Map<string, number>();
  readonly #wrong: string[] = [];

  /** Counts one `kind` and checks its outcome: `problem` undefined means as owed. */
  record(kind: string, problem: string | undefined): void {
    this.#sent.set(kind, (this.#sent.get(kind) ?? 0) + 1);
    if (problem !== undefined) this.#wrong.push(`${kind}: ${problem}`);
  }

  get total(): number {
    return [...this.#sent.values()].reduce((a, b) => a + b, 0);
  }

  get wrong(): readonly string[] {
    return this.#wrong;
  }

  /** "slowloris 40, pipelined 10, ..." */
  describe(): string {
    return [...this.#sent].map(([kind, n]) => `${kind} ${n}`).join(", ");
  }
}
