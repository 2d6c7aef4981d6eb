// The ProcessGroup schema and the pure rules both the operator and the runtime follow.
export * from "./src/application.ts";
export * from "./src/conditions.ts";
export * from "./src/contract.ts";
export * from "./src/crd.ts";
export * from "./src/crd-yaml.ts";
export * from "./src/documents.ts";
export * from "./src/elastic.ts";
export * from "./src/flags.ts";
export * from "./src/problems.ts";
export * from "./src/process-group.ts";
