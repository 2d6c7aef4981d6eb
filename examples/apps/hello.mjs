// A fetch-style application: it reports what the runtime told it about its concurrency.
export default {
  fetch(request, env) {
    return Response.json({
      hello: "world",
      path: new URL(request.url).pathname,
      mount: env.mount,
      processGroup: env.processGroup,
      applicationGroup: env.applicationGroup,
      multiprocess: env.multiprocess,
      multithread: env.multithread,
      threads: env.threads,
      threadId: env.threadId,
      pid: env.pid,
    });
  },
};
