/**
 * What a client is told when its application group failed to load: that much and no more.
 * The error itself, with its stack and the server's paths, goes to the log and /readyz.
 */
export function loadFailedAnswer(group: string): string {
  return `application group ${group} failed to load; the server log says why`;
}
