import type { Command } from "../command.ts";
import { readSources } from "../sources.ts";

export const render: Command = {
  name: "render",
  summary: "Print the Kubernetes objects the operator applies for a ProcessGroup file.",
  usage: "render -f FILE [-f FILE...] [--runtime-image IMAGE]",
  description:
    "Print the ServiceAccount, Role, RoleBinding, Deployment, Service (and Ingress) the operator would\napply for each ProcessGroup in the files, as multi-document YAML, for GitOps and review. An invalid\nfile prints each problem with its document and field path and exits 1. A group whose threads may\noutgrow its pod's memory limit (threadMemoryLimitMegabytes x threads x application groups >\nresources.limits.memory) is rendered with a warning on stderr.",
  options: {
    file: { type: "string", short: "f", multiple: true, valueName: "FILE", description: "ProcessGroup YAML file (several documents allowed), a folder of *.yaml files, or - for stdin (repeatable)." },
    "runtime-image": { type: "string", valueName: "IMAGE", description: "Runtime image for groups without spec.image." },
  },
  async run(values) {
    const files = values["file"];
    const sources = await readSources(Array.isArray(files) ? files : []);
    const { renderSources } = await import("../../operator/src/cli/render-file.ts");
    const { defaultRenderOptions } = await import("../../operator/src/render/options.ts");
    const image = values["runtime-image"];
    const result = renderSources(sources, { ...defaultRenderOptions, ...(typeof image === "string" ? { runtimeImage: image } : {}) });
    if (!result.ok) {
      process.stderr.write(`${result.errors.join("\n")}\n`);
      return 1;
    }
    if (result.warnings.length > 0) process.stderr.write(`${result.warnings.join("\n")}\n`);
    process.stdout.write(result.yaml);
    return 0;
  },
};
