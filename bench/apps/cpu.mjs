// A CPU-bound handler: a fixed amount of arithmetic per request (a few milliseconds).
export default function cpu(_req, res) {
  let x = 0;
  for (let i = 0; i < 4e6; i++) x = (x * 31 + i) % 1000003;
  res.setHeader("content-type", "text/plain");
  res.end(String(x));
}
