/**
 * Runs `task` for every item with at most `limit` in flight, the way a client that must not
 * itself be the bottleneck, nor flood the apiserver, sends a batch. Rejects on the first failure.
 */
export async function forEachBounded<T>(items: readonly T[], limit: number, task: (item: T) => Promise<void>): Promise<void> {
  if (!(limit >= 1)) throw new Error(`limit must be >= 1, got ${limit}`);
  let next = 0;
  const lane = async (): Promise<void> => {
    while (next < items.length) {
      const item = items[next++] as T;
      await task(item);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, lane));
}
