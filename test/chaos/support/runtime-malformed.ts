import fc from "fast-check";
import { METHODS } from "node:http";

/**
 * Requests that are malformed by construction, each whole (its head ends, its declared body
 * is there), so a server has all it needs to refuse it at once: a valid request with exactly
 * one defect that RFC 9112 (and node's strict parser) rejects.
 */
export interface MalformedRequest {
  readonly defect: string;
  readonly text: string;
}

const KNOWN_METHODS = new Set(METHODS);
const CTL = [...Array.from({ length: 9 }, (_, i) => i), 11, 12, ...Array.from({ length: 18 }, (_, i) => i + 14), 127].map((c) => String.fromCharCode(c));
const SEPARATORS = [..." ()<>@,;\\\"/[]?={}"];

const tokenChar = fc.constantFrom(..."abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.~!#$%&'*+^`|");
const token = (maxLength: number) => fc.string({ unit: tokenChar, minLength: 1, maxLength });
const path = fc.string({ unit: fc.constantFrom(..."abcdefghijklmnopqrstuvwxyz0123456789-._~/"), maxLength: 16 }).map((p) => `/${p}`);
const headerValue = fc.string({ unit: fc.constantFrom(..."abcdefghijklmnopqrstuvwxyz0123456789 -_.,;=/"), maxLength: 16 }).map((v) => v.trim() || "v");
const header = fc.tuple(token(12).filter((n) => !/^(content-length|transfer-encoding|host|connection|expect|upgrade)$/i.test(n)), headerValue);

interface Parts {
  readonly method: string;
  readonly target: string;
  readonly version: string;
  readonly headers: readonly (readonly [string, string])[];
  readonly body: string;
}

const validParts: fc.Arbitrary<Parts> = fc.record({
  method: fc.constantFrom("GET", "POST", "DELETE", "PUT"),
  target: path,
  version: fc.constant("HTTP/1.1"),
  headers: fc.array(header, { maxLength: 4 }).map((h) => [["Host", "x"] as const, ...h]),
  body: fc.constant(""),
});

function textOf(p: Parts, lineEnd = "\r\n"): string {
  const lines = [`${p.method} ${p.target} ${p.version}`, ...p.headers.map(([n, v]) => `${n}: ${v}`)];
  return `${lines.join(lineEnd)}${lineEnd}${lineEnd}${p.body}`;
}

/** Puts `what` somewhere inside `into` (not first, so a path keeps its leading slash). */
const insertInto = (into: string, what: string, at: number) => {
  const i = 1 + (at % Math.max(1, into.length));
  return into.slice(0, i) + what + into.slice(i);
};

const defects: readonly fc.Arbitrary<MalformedRequest>[] = [
  fc.tuple(validParts, token(10).filter((m) => !KNOWN_METHODS.has(m))).map(([p, method]) => ({ defect: "unknown method", text: textOf({ ...p, method }) })),
  fc.tuple(validParts, fc.constantFrom(...CTL, " x"), fc.nat()).map(([p, bad, at]) => ({ defect: "control character or space in the target", text: textOf({ ...p, target: insertInto(p.target, bad, at) }) })),
  fc.tuple(validParts, fc.constantFrom("HTTP/1.1x", "HTTP/11", "HTTX/1.1", "HTTP/a.1", "HTTP/1.", "http/1.1", "HTTP/1.1 extra", "HTTP/")).map(([p, version]) => ({ defect: "malformed version", text: textOf({ ...p, version }) })),
  fc.tuple(validParts, token(8), fc.constantFrom(...SEPARATORS), fc.nat()).map(([p, name, bad, at]) => ({ defect: "separator in a header name", text: textOf({ ...p, headers: [...p.headers, [insertInto(name, bad, at), "v"]] }) })),
  fc.tuple(validParts, fc.constantFrom(...CTL), fc.nat()).map(([p, bad, at]) => ({ defect: "control character in a header value", text: textOf({ ...p, headers: [...p.headers, ["X-Bad", insertInto("value", bad, at)]] }) })),
  validParts.map((p) => ({ defect: "obsolete line folding", text: textOf({ ...p, headers: [...p.headers, ["X-Folded", "one\r\n two"]] }) })),
  validParts.map((p) => ({ defect: "header line without a colon", text: textOf({ ...p, headers: [...p.headers, ["X-No-Colon", ""]] }).replace("X-No-Colon: \r\n", "X-No-Colon\r\n") })),
  fc.tuple(validParts, fc.constantFrom("\n", "\r")).map(([p, end]) => ({ defect: "bare line ends", text: textOf(p, end) })),
  fc.tuple(validParts, fc.nat({ max: 50 }), fc.nat({ max: 50 })).filter(([, a, b]) => a !== b).map(([p, a, b]) => ({
    defect: "conflicting Content-Length",
    text: textOf({ ...p, method: "POST", headers: [...p.headers, ["Content-Length", String(a)], ["Content-Length", String(b)]], body: "x".repeat(Math.max(a, b)) }),
  })),
  fc.tuple(validParts, fc.constantFrom("-1", "1a", "0x10", "1 2", "+1", "99999999999999999999999", "")).map(([p, length]) => ({
    defect: "invalid Content-Length",
    text: textOf({ ...p, method: "POST", headers: [...p.headers, ["Content-Length", length]] }),
  })),
  validParts.map((p) => ({
    defect: "Content-Length with Transfer-Encoding",
    text: textOf({ ...p, method: "POST", headers: [...p.headers, ["Content-Length", "5"], ["Transfer-Encoding", "chunked"]], body: "0\r\n\r\n" }),
  })),
  fc.tuple(validParts, fc.constantFrom("gzip", "chunked, gzip", "identity", "chunked;x=1")).map(([p, coding]) => ({
    defect: "Transfer-Encoding not ending in chunked",
    text: textOf({ ...p, method: "POST", headers: [...p.headers, ["Transfer-Encoding", coding]], body: "0\r\n\r\n" }),
  })),
  fc.tuple(validParts, fc.constantFrom("zz\r\nab\r\n0\r\n\r\n", "2\r\nabc\r\n0\r\n\r\n", "-1\r\n\r\n", "2\r\nab0\r\n\r\n")).map(([p, body]) => ({
    defect: "malformed chunk",
    text: textOf({ ...p, method: "POST", headers: [...p.headers, ["Transfer-Encoding", "chunked"]], body }),
  })),
  fc.tuple(fc.integer({ min: 0, max: 255 }).filter((b) => b < 9 || (b > 13 && b < 32) || b >= 127), fc.uint8Array({ maxLength: 64 })).map(([first, rest]) => ({
    defect: "binary garbage",
    text: String.fromCharCode(first) + Buffer.from(rest).toString("latin1") + "\r\n\r\n",
  })),
];

export const malformedRequest: fc.Arbitrary<MalformedRequest> = fc.oneof(...defects);
