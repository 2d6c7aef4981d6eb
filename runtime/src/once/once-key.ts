// A once() key names a run across the whole group; in a cluster it is part of a Lease's name,
// so it follows the rule of a DNS label (RFC 1123), checked here before anything is sent.

const KEY_RULE = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
export const MAX_KEY_LENGTH = 63;

/** Why `key` cannot name a once() run, or undefined when it can. */
export function onceKeyProblem(key: unknown): string | undefined {
  const rule = `a key is 1 to ${MAX_KEY_LENGTH} lowercase letters, digits and '-', starting and ending with a letter or digit (it names a Lease in a cluster)`;
  if (typeof key !== "string") return `once(key): key must be a string, got ${key === null ? "null" : typeof key}: ${rule}`;
  if (key.length === 0 || key.length > MAX_KEY_LENGTH || !KEY_RULE.test(key)) return `once(key): ${JSON.stringify(key.length > 80 ? `${key.slice(0, 80)}...` : key)} is not a valid key: ${rule}`;
  return undefined;
}
