import type { KubernetesObject, V1Deployment, V1Ingress, V1Role, V1RoleBinding, V1Service, V1ServiceAccount } from "@kubernetes/client-node";
import type { ProcessGroup } from "../../../crds/index.ts";
import { buildDeployment } from "./deployment.ts";
import { buildIngress } from "./ingress.ts";
import { buildOnceRole, buildOnceRoleBinding, buildServiceAccount } from "./once-rbac.ts";
import { defaultRenderOptions, type RenderOptions } from "./options.ts";
import { buildService } from "./service.ts";

export interface RenderedGroup {
  /** The pods' account, and what it may do: hold the group's env.once() Leases. */
  readonly serviceAccount: V1ServiceAccount;
  readonly role: V1Role;
  readonly roleBinding: V1RoleBinding;
  readonly deployment: V1Deployment;
  readonly service: V1Service;
  readonly ingress?: V1Ingress | undefined;
}

/** spec -> the objects the operator applies. Pure: same input, same output. */
export function render(pg: ProcessGroup, options: RenderOptions = defaultRenderOptions): RenderedGroup {
  return {
    serviceAccount: buildServiceAccount(pg),
    role: buildOnceRole(pg),
    roleBinding: buildOnceRoleBinding(pg),
    deployment: buildDeployment(pg, options),
    service: buildService(pg),
    ingress: buildIngress(pg, options),
  };
}

/** The rendered objects in apply order: the pods' account exists before the pods that use it. */
export function renderedObjects(rendered: RenderedGroup): KubernetesObject[] {
  return [rendered.serviceAccount, rendered.role, rendered.roleBinding, rendered.deployment, rendered.service, ...(rendered.ingress ? [rendered.ingress] : [])];
}
