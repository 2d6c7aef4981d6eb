import type { KubernetesObject, V1Deployment, V1Ingress, V1Service } from "@kubernetes/client-node";
import type { ProcessGroup } from "../../../crds/index.ts";
import { buildDeployment } from "./deployment.ts";
import { buildIngress } from "./ingress.ts";
import { defaultRenderOptions, type RenderOptions } from "./options.ts";
import { buildService } from "./service.ts";

export interface RenderedGroup {
  readonly deployment: V1Deployment;
  readonly service: V1Service;
  readonly ingress?: V1Ingress | undefined;
}

/** spec -> the objects the operator applies. Pure: same input, same output. */
export function render(pg: ProcessGroup, options: RenderOptions = defaultRenderOptions): RenderedGroup {
  return { deployment: buildDeployment(pg, options), service: buildService(pg), ingress: buildIngress(pg, options) };
}

/** The rendered objects in apply order. */
export function renderedObjects(rendered: RenderedGroup): KubernetesObject[] {
  return [rendered.deployment, rendered.service, ...(rendered.ingress ? [rendered.ingress] : [])];
}
