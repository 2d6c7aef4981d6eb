/**
 * A request target made safe to route: the path in the one form that routing and the app
 * both see, or the reason the request is refused (400). Without it `/blog/../wiki` is routed
 * to the /blog app while that app's URL parser says `/wiki`, and a path can climb out of the
 * mount that was chosen for it.
 */
export type SafeTarget =
  | { readonly ok: true; readonly path: string; readonly query: string; /** path and query: the target as routed. */ readonly url: string }
  | { readonly ok: false; readonly problem: string };

const ABSOLUTE_FORM = /^[a-z][a-z0-9+.-]*:\/\/[^/?]*/i;
/** A percent-encoded unreserved character (RFC 3986 2.3): the same URI as the character itself. */
const ENCODED_UNRESERVED = /%(2[dDeE]|3[0-9]|[46][1-9a-fA-F]|[57][0-9aA]|5[fF]|7[eE])/g;
const NUL = /\0|%00/;
/** What a path needs for any normalising to apply: an escape, a run of "/", a segment starting with "." or a NUL. */
const MAY_CHANGE = /[%\0]|\/\/|\/\./;

/** RFC 3986 5.2.4 on a path that starts with "/" and has no empty segments. */
function removeDotSegments(path: string): string {
  const segments = path.slice(1).split("/");
  const out: string[] = [];
  let trailingSlash = false;
  for (const [i, segment] of segments.entries()) {
    const last = i === segments.length - 1;
    if (segment === "." || segment === "..") {
      if (segment === "..") out.pop();
      trailingSlash = last;
    } else {
      out.push(segment);
    }
  }
  const joined = `/${out.join("/")}`;
  return trailingSlash && out.length > 0 ? `${joined}/` : joined;
}

/**
 * Splits a request target into path and query, and normalises the path: percent-encoded
 * unreserved characters decoded (so `%2e%2e` is `..`), runs of "/" merged into one (as
 * nginx's merge_slashes: `//host/x` must not read as a protocol-relative URL), and dot
 * segments removed per RFC 3986, before any routing. The query is left as sent. A NUL in
 * the path, raw or encoded, is refused.
 */
export function safeTarget(target: string): SafeTarget {
  // Most targets are already in normal form: one scan proves it, and the string is kept as sent.
  if (target.charCodeAt(0) === 47 /* "/" */) {
    const q = target.indexOf("?");
    const path = q === -1 ? target : target.slice(0, q);
    if (!MAY_CHANGE.test(path)) return { ok: true, path, query: q === -1 ? "" : target.slice(q), url: target };
  }
  // The absolute form (`GET http://host/path`), which proxies send, routes by its path.
  const origin = target.replace(ABSOLUTE_FORM, "") || "/";
  const q = origin.indexOf("?");
  const rawPath = q === -1 ? origin : origin.slice(0, q);
  const query = q === -1 ? "" : origin.slice(q);
  if (!rawPath.startsWith("/")) return { ok: false, problem: "the request target must be a path starting with /" };
  if (NUL.test(rawPath)) return { ok: false, problem: "the request path holds a NUL byte" };
  const decoded = rawPath.replace(ENCODED_UNRESERVED, (_, hex: string) => String.fromCharCode(Number.parseInt(hex, 16)));
  const merged = decoded.replace(/\/{2,}/g, "/");
  const path = removeDotSegments(merged);
  return { ok: true, path, query, url: path + query };
}
