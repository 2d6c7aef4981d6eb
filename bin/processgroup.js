#!/usr/bin/env node
// The `processgroup` command. Node 24 runs the TypeScript sources directly.
import { main } from "./main.ts";

process.exitCode = await main(process.argv.slice(2));
