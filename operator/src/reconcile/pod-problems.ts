import type { V1Pod } from "@kubernetes/client-node";
import { REASON, type Problem } from "./problems.ts";

/** What the kubelet says, alternately, about an image it cannot pull. */
const PULL_FAILURES: ReadonlySet<string> = new Set(["ErrImagePull", "ImagePullBackOff", "InvalidImageName", "ErrImageNeverPull"]);

/**
 * An image the nodes cannot pull (missing, misspelt, private). The message names only the
 * image, not the kubelet's words, which flip between ErrImagePull and ImagePullBackOff and
 * carry back-off times: a stable message keeps status and events from churning.
 */
export function imagePullProblems(pods: readonly V1Pod[]): Problem[] {
  const images = new Set<string>();
  for (const pod of pods) {
    if (pod.metadata?.deletionTimestamp) continue;
    for (const status of [...(pod.status?.initContainerStatuses ?? []), ...(pod.status?.containerStatuses ?? [])]) {
      const reason = status.state?.waiting?.reason;
      if (reason && PULL_FAILURES.has(reason)) images.add(status.image);
    }
  }
  if (images.size === 0) return [];
  const list = [...images].sort().map((i) => `"${i}"`).join(", ");
  return [{ reason: REASON.imagePullFailed, message: `the nodes cannot pull image ${list}: check spec.image (name, tag, registry access)`, blocking: false }];
}
