// `processgroup serve`: a group's processes from a ProcessGroup file (see runtime/index.ts).
export { serve, type ServeOptions } from "./src/serve/supervisor.ts";
