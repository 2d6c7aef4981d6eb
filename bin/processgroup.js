#!/usr/bin/env node
// The `processgroup` command. Node >= 24.11 runs the TypeScript sources directly; an older
// Node would fail on the first import with ERR_UNKNOWN_FILE_EXTENSION, so this file stays
// plain JavaScript that any Node can parse and checks the version first.
const REQUIRED = [24, 11];
const found = process.versions.node;
const [major, minor] = found.split(".").map(Number);
if (major < REQUIRED[0] || (major === REQUIRED[0] && minor < REQUIRED[1])) {
  process.stderr.write(
    `processgroup: needs Node >= ${REQUIRED.join(".")}, found ${found} (run it through npm, which uses the Node that \`npm ci\` installs: npx processgroup ...)\n`,
  );
  process.exit(1);
}
// Before the first TypeScript module: every module the command loads comes stripped from a
// cache, so this process loads no stripper of its own (modules/module-cache.mjs).
const { prepareModuleCache } = await import("./modules/module-cache.mjs");
prepareModuleCache();
const { main } = await import("./main.ts");
process.exitCode = await main(process.argv.slice(2));
