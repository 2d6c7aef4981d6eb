// `node --import` this in a process the CLI starts (a `serve` process): its modules come from
// the stripped-module cache its parent filled (module-cache.mjs).
import { registerModuleCache } from "./module-cache.mjs";

registerModuleCache();
