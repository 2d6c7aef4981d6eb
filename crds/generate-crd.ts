// Writes the CRD YAML generated from the zod schema, to crds/ and to the Helm chart's crds/;
// `--check` fails when either checked-in copy is stale.
import { readFileSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { CRD_FILE, crdYaml } from "./src/crd-yaml.ts";

const targets = [new URL(CRD_FILE, import.meta.url), new URL(`../charts/processgroup-operator/crds/${CRD_FILE}`, import.meta.url)].map((u) => fileURLToPath(u));
const fresh = crdYaml();
let stale = false;
for (const target of targets) {
  if (!process.argv.includes("--check")) {
    writeFileSync(target, fresh);
    console.error(`wrote ${target}`);
  } else if (readFileSync(target, "utf8") !== fresh) {
    console.error(`${target} is stale: run npm run crd`);
    stale = true;
  }
}
process.exitCode = stale ? 1 : 0;
