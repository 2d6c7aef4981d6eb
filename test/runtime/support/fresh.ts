import { get } from "node:http";

export interface FreshAnswer {
  readonly status: number;
  readonly body: string;
}

/**
 * A GET on a connection of its own (no keep-alive pool): in connection dispatch the runtime
 * places each connection on a thread, so only fresh connections show where it places
 * requests. Status 0: the connection closed without an answer.
 */
export function getFresh(url: string): Promise<FreshAnswer> {
  return new Promise((resolve) => {
    const req = get(url, { agent: false, headers: { connection: "close" } }, (res) => {
      let body = "";
      res.setEncoding("utf8");
      res.on("data", (chunk: string) => (body += chunk));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
      res.on("error", () => resolve({ status: 0, body }));
    });
    req.on("error", () => resolve({ status: 0, body: "" }));
  });
}
