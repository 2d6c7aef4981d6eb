import { ApiException } from "@kubernetes/client-node";

/** The HTTP status of a failed API call, or undefined when it never got an answer. */
export function statusCodeOf(error: unknown): number | undefined {
  if (error instanceof ApiException) return error.code;
  if (typeof error === "object" && error !== null && "statusCode" in error && typeof error.statusCode === "number") return error.statusCode;
  return undefined;
}

export const isNotFound = (error: unknown): boolean => statusCodeOf(error) === 404;
export const isConflict = (error: unknown): boolean => statusCodeOf(error) === 409;

/** The server refused the object itself: retrying the same request cannot help, changing the spec can. */
export function isRejected(error: unknown): boolean {
  const code = statusCodeOf(error);
  return code === 400 || code === 422;
}

/** The server's own words for a refusal (the message of its Status), for conditions and events. */
export function messageOf(error: unknown): string {
  if (error instanceof ApiException) {
    const body: unknown = error.body;
    const text = typeof body === "string" ? body : JSON.stringify(body);
    try {
      const parsed: unknown = JSON.parse(text);
      if (typeof parsed === "object" && parsed !== null && "message" in parsed && typeof parsed.message === "string") return parsed.message;
    } catch {
      // not JSON: fall through to the raw text
    }
    return `HTTP ${error.code}: ${text.slice(0, 500)}`;
  }
  return error instanceof Error ? error.message : String(error);
}
