import { controlPlane } from "../support/control-plane.ts";
import { OperatorProcess, operatorArgs } from "../../support/operator-process.ts";

export type { LogLine } from "../../support/operator-process.ts";

/** `processgroup operator` as a child process against the test control plane, as it runs in a pod. */
export class ChildOperator extends OperatorProcess {
  /**
   * With `asDeployed`, runs exactly `processgroup <args>` in `env`, the way a pod's container
   * would; otherwise adds the test cluster's kubeconfig, the identity and an ephemeral port.
   */
  constructor(identity: string, args: readonly string[], asDeployed?: { readonly env: NodeJS.ProcessEnv }) {
    super(identity, asDeployed ? args : operatorArgs(controlPlane().kubeconfig, identity, args), asDeployed?.env ?? process.env);
  }
}
