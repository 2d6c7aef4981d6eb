/**
 * The `shared` store of one application group in one process: what module globals are to
 * the threads of a mod_wsgi sub-interpreter. The main thread owns the map and applies one
 * operation at a time, so every operation is atomic across the group's threads; values are
 * structured-cloneable data. Nothing is shared across processes or groups.
 */
export type SharedOperation =
  | { readonly op: "get"; readonly key: string }
  | { readonly op: "set"; readonly key: string; readonly value: unknown }
  | { readonly op: "delete"; readonly key: string }
  | { readonly op: "increment"; readonly key: string; readonly by: number }
  | { readonly op: "compareAndSet"; readonly key: string; readonly expected: unknown; readonly value: unknown };

export class SharedStore {
  readonly #values = new Map<string, unknown>();

  /** Applies one operation; throws a TypeError for an increment of a non-number. */
  apply(operation: SharedOperation): unknown {
    const { key } = operation;
    switch (operation.op) {
      case "get":
        return this.#values.get(key);
      case "set":
        this.#values.set(key, operation.value);
        return undefined;
      case "delete":
        return this.#values.delete(key);
      case "increment": {
        const current = this.#values.get(key) ?? 0;
        if (typeof current !== "number") throw new TypeError(`shared.increment: ${key} holds a ${typeof current}, not a number`);
        const next = current + operation.by;
        this.#values.set(key, next);
        return next;
      }
      case "compareAndSet": {
        // Compared as data (structured-clone copies are never identical objects).
        if (!sameData(this.#values.get(key), operation.expected)) return false;
        this.#values.set(key, operation.value);
        return true;
      }
    }
  }
}

function sameData(a: unknown, b: unknown): boolean {
  if (Object.is(a, b)) return true;
  if (typeof a !== "object" || typeof b !== "object" || a === null || b === null) return false;
  return JSON.stringify(a) === JSON.stringify(b);
}
