// The runtime's entry in its fetch-style form, over the same workloads.
import { fetchWorkload } from "../handlers.mjs";

export default {
  fetch: (request, env) => fetchWorkload(request, env.pathInfo),
};
