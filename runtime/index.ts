// The runtime's entry points, for the CLI commands (which import them lazily).
export { settingsFromEnv, OPTIONAL_ENV } from "./src/settings/settings-from-env.ts";
export { runProcess } from "./src/process/run-process.ts";
export { serve, type ServeOptions } from "./src/serve/supervisor.ts";
export type { AppEnv, Shared } from "./src/worker/app-env.ts";
