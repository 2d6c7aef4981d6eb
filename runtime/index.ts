// The runtime's entry points, one module per CLI command, so that a command loads only what it
// runs (the commands import them lazily): `serve`'s supervisor never loads the HTTP front, the
// thread pools or prom-client, which only its processes run.
export type { AppEnv, Shared } from "./src/worker/app-env.ts";
