// An Express app as written for `node server.js`, unchanged: ProcessGroup adopts the server it
// listens on and serves it on every thread of the group (the port below is ignored there).
import { threadId } from "node:worker_threads";
import express from "express";

const app = express();
app.use(express.json());

app.get("/", (req, res) => {
  res.json({
    hello: "world",
    thread: threadId,
    multiprocess: process.env.PROCESSGROUP_MULTIPROCESS ?? "(not under ProcessGroup)",
    multithread: process.env.PROCESSGROUP_MULTITHREAD ?? "(not under ProcessGroup)",
    threads: process.env.PROCESSGROUP_THREADS ?? "(not under ProcessGroup)",
  });
});

// Holds its thread for a while, so concurrent requests show the other threads.
app.get("/wait", async (req, res) => {
  await new Promise((resolve) => setTimeout(resolve, Number(req.query.ms ?? 200)));
  res.json({ waited: Number(req.query.ms ?? 200), thread: threadId });
});

app.post("/echo", (req, res) => res.json({ received: req.body }));

const port = Number(process.env.PORT ?? 3000);
app.listen(port, () => console.log(`listening on http://localhost:${port}`));
