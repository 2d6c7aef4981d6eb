import type { V1Ingress } from "@kubernetes/client-node";
import type { ProcessGroup } from "../../../crds/index.ts";
import { labelsOf } from "./labels.ts";
import { childMetadata, type RenderOptions } from "./options.ts";

/**
 * spec.route as an Ingress: each application's mount on the host goes to this group's
 * Service. Mounts an older group owns are left out; with none left there is no Ingress.
 */
export function buildIngress(pg: ProcessGroup, options: Pick<RenderOptions, "excludedMounts"> = {}): V1Ingress | undefined {
  const route = pg.spec.route;
  if (!route) return undefined;
  const applications = pg.spec.applications.filter((app) => !options.excludedMounts?.has(app.mount));
  if (applications.length === 0) return undefined;
  const name = pg.metadata.name;
  return {
    apiVersion: "networking.k8s.io/v1",
    kind: "Ingress",
    metadata: childMetadata(pg, labelsOf(name)),
    spec: {
      ...(route.ingressClassName ? { ingressClassName: route.ingressClassName } : {}),
      ...(route.tlsSecretName ? { tls: [{ hosts: [route.host], secretName: route.tlsSecretName }] } : {}),
      rules: [
        {
          host: route.host,
          http: {
            paths: applications.map((app) => ({
              path: app.mount,
              pathType: "Prefix",
              backend: { service: { name, port: { name: "http" } } },
            })),
          },
        },
      ],
    },
  };
}
