// Writes the CRD YAML generated from the zod schema; `--check` fails when the checked-in copy is stale.
import { readFileSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { CRD_FILE, crdYaml } from "./src/crd-yaml.ts";

const target = fileURLToPath(new URL(CRD_FILE, import.meta.url));
const fresh = crdYaml();
if (process.argv.includes("--check")) {
  if (readFileSync(target, "utf8") !== fresh) {
    console.error(`${target} is stale: run npm run crd`);
    process.exit(1);
  }
} else {
  writeFileSync(target, fresh);
  console.error(`wrote ${target}`);
}
