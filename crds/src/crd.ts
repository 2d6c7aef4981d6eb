import { API_GROUP, API_VERSION, KIND, PLURAL, ProcessGroupSpec, ProcessGroupStatus, SHORT_NAME } from "./process-group.ts";
import { structuralSchemaOf, type JsonSchema } from "./structural-schema.ts";

const column = (name: string, type: string, jsonPath: string, description: string) => ({ name, type, jsonPath, description });

/** The CustomResourceDefinition for ProcessGroup, generated from the zod schema. */
export function processGroupCrd() {
  const status = structuralSchemaOf(ProcessGroupStatus);
  const conditions = (status["properties"] as Record<string, JsonSchema>)["conditions"];
  if (conditions) Object.assign(conditions, { "x-kubernetes-list-type": "map", "x-kubernetes-list-map-keys": ["type"] });
  return {
    apiVersion: "apiextensions.k8s.io/v1",
    kind: "CustomResourceDefinition",
    metadata: { name: `${PLURAL}.${API_GROUP}` },
    spec: {
      group: API_GROUP,
      scope: "Namespaced",
      names: { kind: KIND, listKind: `${KIND}List`, plural: PLURAL, singular: KIND.toLowerCase(), shortNames: [SHORT_NAME], categories: ["all"] },
      versions: [
        {
          name: API_VERSION,
          served: true,
          storage: true,
          subresources: {
            status: {},
            scale: { specReplicasPath: ".spec.processes", statusReplicasPath: ".status.processes", labelSelectorPath: ".status.selector" },
          },
          additionalPrinterColumns: [
            column("Processes", "integer", ".status.processes", "Desired processes (pods)."),
            column("Desired", "integer", ".status.desiredProcesses", "An elastic group's processes as the operator's scaling decision wants them."),
            column("Ready", "integer", ".status.readyProcesses", "Processes ready to serve."),
            column("Threads", "integer", ".status.threads", "Worker threads per application group in each process."),
            column("Multiprocess", "boolean", ".status.multiprocess", "The multiprocess flag the applications see."),
            column("Multithread", "boolean", ".status.multithread", "The multithread flag the applications see."),
            column("Age", "date", ".metadata.creationTimestamp", "Time since creation."),
          ],
          schema: {
            openAPIV3Schema: {
              type: "object",
              description: "ProcessGroup is a daemon process group in the manner of Apache mod_wsgi's WSGIDaemonProcess: processes (pods) running worker threads that serve Node.js web applications, each told the truth about its concurrency through the multiprocess and multithread flags.",
              required: ["spec"],
              properties: {
                apiVersion: { type: "string", description: "APIVersion defines the versioned schema of this representation of an object." },
                kind: { type: "string", description: "Kind is a string value representing the REST resource this object represents." },
                metadata: {
                  type: "object",
                  properties: {
                    // It names the Service, so it must be a DNS-1035 label.
                    name: { type: "string", maxLength: 63, pattern: "^[a-z]([-a-z0-9]*[a-z0-9])?$", description: "Name of the group: a DNS-1035 label, because the group's Service and Deployment take it." },
                  },
                },
                spec: structuralSchemaOf(ProcessGroupSpec),
                status,
              },
            },
          },
        },
      ],
    },
  };
}
