// Shares the module realm of counter.mjs when both are in one application group.
import { count } from "./counter.mjs";

export default function report(req, res) {
  res.setHeader("content-type", "application/json");
  res.end(JSON.stringify({ listener: true, url: req.url, moduleHits: count() }));
}
