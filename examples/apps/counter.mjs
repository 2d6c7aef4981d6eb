// Module state lives in its application group: apps in the same group see the same counter
// (per worker thread), apps in other groups never do. `shared` spans the threads of a process.
let hits = 0;

export function count() {
  hits += 1;
  return hits;
}

export default {
  async fetch(_request, env) {
    const total = await env.shared.increment("hits");
    return Response.json({ applicationGroup: env.applicationGroup, moduleHits: count(), processHits: total });
  },
};
