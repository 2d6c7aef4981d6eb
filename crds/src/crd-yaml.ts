import { stringify } from "yaml";
import { processGroupCrd } from "./crd.ts";

export const CRD_FILE = "processgroup.dev_processgroups.yaml";

export function crdYaml(): string {
  return `# Generated from crds/src by \`npm run crd\`; do not edit.\n${stringify(processGroupCrd(), { lineWidth: 0 })}`;
}
