import { UsageError, type Command } from "../command.ts";

export const render: Command = {
  name: "render",
  summary: "Print the Kubernetes objects the operator applies for a ProcessGroup file.",
  usage: "render -f FILE [--runtime-image IMAGE]",
  description:
    "Print the Deployment, Service (and Ingress) the operator would apply for each ProcessGroup in FILE,\nas multi-document YAML, for GitOps and review. An invalid file prints each problem with its\ndocument and field path and exits 1.",
  options: {
    file: { type: "string", short: "f", valueName: "FILE", description: "ProcessGroup YAML file (several documents allowed)." },
    "runtime-image": { type: "string", valueName: "IMAGE", description: "Runtime image for groups without spec.image." },
  },
  async run(values) {
    const file = values["file"];
    if (typeof file !== "string") throw new UsageError("-f FILE is required");
    const { renderFile } = await import("../../operator/src/cli/render-file.ts");
    const { defaultRenderOptions } = await import("../../operator/src/render/options.ts");
    const image = values["runtime-image"];
    const result = await renderFile(file, { ...defaultRenderOptions, ...(typeof image === "string" ? { runtimeImage: image } : {}) });
    if (!result.ok) {
      process.stderr.write(`${result.errors.join("\n")}\n`);
      return 1;
    }
    process.stdout.write(result.yaml);
    return 0;
  },
};
