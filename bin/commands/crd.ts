import type { Command } from "../command.ts";

export const crd: Command = {
  name: "crd",
  summary: "Print the ProcessGroup CustomResourceDefinition.",
  usage: "crd",
  options: {},
  async run() {
    const { crdYaml } = await import("../../crds/index.ts");
    process.stdout.write(crdYaml());
    return 0;
  },
};
