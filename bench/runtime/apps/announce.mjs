// How every Node server of the bench tells the bench it is ready: one JSON line on stdout.
export function announceServing(port) {
  process.stdout.write(`${JSON.stringify({ msg: "serving", port })}\n`);
}
