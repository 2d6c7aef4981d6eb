// Connection-level headers belong to the hop between the client and the front, which sets
// its own; a worker's are dropped.
const HOP_BY_HOP = new Set(["connection", "keep-alive", "transfer-encoding", "date", "proxy-connection", "upgrade"]);

export interface ResponseHead {
  readonly status: number;
  /** Flat name/value list, repeated names (Set-Cookie) kept apart. */
  readonly headers: string[];
  /** The app asked for chunked encoding itself, so the bytes that follow are chunked. */
  readonly chunked: boolean;
}

/**
 * Parses the head node's ServerResponse wrote ("HTTP/1.1 200 OK\r\nName: value\r\n..."),
 * without the blank line. Runs once a request: it scans instead of splitting.
 */
export function parseResponseHead(text: string): ResponseHead {
  const firstEnd = text.indexOf("\r\n");
  const status = Number(text.slice(9, 12));
  const headers: string[] = [];
  let chunked = false;
  let pos = firstEnd === -1 ? text.length : firstEnd + 2;
  while (pos < text.length) {
    let end = text.indexOf("\r\n", pos);
    if (end === -1) end = text.length;
    const colon = text.indexOf(":", pos);
    if (colon > pos && colon < end) {
      const name = text.slice(pos, colon);
      const value = text.slice(colon + 1, end).trim();
      const lower = name.toLowerCase();
      if (lower === "transfer-encoding" && value.toLowerCase().includes("chunked")) chunked = true;
      if (!HOP_BY_HOP.has(lower)) headers.push(name, value);
    }
    pos = end + 2;
  }
  return { status: Number.isInteger(status) && status >= 100 ? status : 500, headers, chunked };
}

/** Headers of a fetch Response as a flat name/value list, with each Set-Cookie kept apart. */
export function headerListOf(headers: Headers): string[] {
  const list: string[] = [];
  for (const [name, value] of headers) {
    if (name === "set-cookie" || HOP_BY_HOP.has(name)) continue;
    list.push(name, value);
  }
  for (const cookie of headers.getSetCookie()) list.push("set-cookie", cookie);
  return list;
}
