import { sameQuantity } from "./quantity.ts";

// Whether the live object already holds everything we would apply. Server-side apply of an
// unchanged object is a no-op on the server, but it is still a write request; comparing
// first is what makes an idle operator send none.
//
// The live object has more than we asked for (defaults, other managers' fields, status), so
// this is a subset test: every field we set must be there with our value, and every list
// item we set must be there, in our order, with items of other managers allowed in between.

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value) && !(value instanceof Date);
}

/** Values Go's `omitempty` drops: asking for them and finding nothing is agreement. */
function isEmpty(value: unknown): boolean {
  if (value === "" || value === false || value === null) return true;
  if (Array.isArray(value)) return value.length === 0;
  return isRecord(value) && Object.keys(value).length === 0;
}

function coversList(desired: readonly unknown[], live: readonly unknown[], path: readonly string[]): boolean {
  let j = 0;
  for (const item of desired) {
    while (j < live.length && !covers(item, live[j], path)) j++;
    if (j === live.length) return false;
    j++;
  }
  return true;
}

export function covers(desired: unknown, live: unknown, path: readonly string[] = []): boolean {
  if (desired === undefined) return true;
  if (live === undefined || live === null) return isEmpty(desired);
  if (Array.isArray(desired)) return Array.isArray(live) && coversList(desired, live, path);
  if (isRecord(desired)) {
    if (!isRecord(live)) return false;
    return Object.entries(desired).every(([key, value]) => covers(value, live[key], [...path, key]));
  }
  if (desired === live) return true;
  const inResources = path.includes("resources");
  return inResources && (typeof desired === "string" || typeof desired === "number") && (typeof live === "string" || typeof live === "number") && sameQuantity(desired, live);
}
