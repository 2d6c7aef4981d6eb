import type { V1Service } from "@kubernetes/client-node";
import { ADMIN_PORT, type ProcessGroup } from "../../../crds/index.ts";
import { labelsOf, selectorOf } from "./labels.ts";
import { childMetadata } from "./options.ts";

export const SERVICE_HTTP_PORT = 80;

export function buildService(pg: ProcessGroup): V1Service {
  const name = pg.metadata.name;
  return {
    apiVersion: "v1",
    kind: "Service",
    metadata: childMetadata(pg, labelsOf(name)),
    spec: {
      type: "ClusterIP",
      selector: selectorOf(name),
      ports: [
        { name: "http", port: SERVICE_HTTP_PORT, targetPort: "http", protocol: "TCP" },
        { name: "admin", port: ADMIN_PORT, targetPort: "admin", protocol: "TCP" },
      ],
    },
  };
}
