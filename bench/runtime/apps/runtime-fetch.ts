// The runtime's entry in its fetch-style form, over the same workloads.
import { fetchWorkload } from "../handlers.ts";

export default {
  fetch: (request: Request, env: { readonly pathInfo?: string }) => fetchWorkload(request, env.pathInfo),
};
