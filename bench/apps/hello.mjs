// The hello-world handler both servers run: a Node listener, so node:http can run it as is.
export default function hello(_req, res) {
  res.setHeader("content-type", "text/plain");
  res.end("hello world");
}
