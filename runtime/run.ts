// `processgroup run`: one runtime process from the operator's contract (see runtime/index.ts).
export { settingsFromEnv, OPTIONAL_ENV } from "./src/settings/settings-from-env.ts";
export { runProcess } from "./src/process/run-process.ts";
