import { z } from "zod";
import { integerAtLeast } from "./fields.ts";

// Elastic processes: Apache's spare-worker rule (MinSpareThreads/MaxSpareThreads between
// StartServers and MaxRequestWorkers), done by the operator across pods. The minimum is
// spec.processes itself, not a field here: the scale subresource (kubectl scale, an HPA)
// writes spec.processes, so on an elastic group it moves the minimum, and there is no second
// field that could disagree with it.

/** HPA's averageUtilization is a whole percentage too: no float in the API. */
export const DEFAULT_TARGET_BUSY_PERCENT = 70;
/** HPA's default scale-down stabilization window. */
export const DEFAULT_SCALE_DOWN_STABILIZATION_SECONDS = 300;

const BUSY_PERCENT = "must be an integer from 1 to 100";

export const Elastic = z
  .strictObject({
    maxProcesses: integerAtLeast(
      1,
      "Most processes (pods) the operator scales the group to, like MaxRequestWorkers / threads. The minimum is spec.processes (default 1), which kubectl scale sets.",
    ),
    targetBusyPercent: z
      .int({ error: BUSY_PERCENT })
      .min(1, { error: BUSY_PERCENT })
      .max(100, { error: BUSY_PERCENT })
      .default(DEFAULT_TARGET_BUSY_PERCENT)
      .meta({
        description: `Busy worker threads over all worker threads of the ready processes that the operator keeps the group near, in percent (default ${DEFAULT_TARGET_BUSY_PERCENT}): the rest are the spare threads of Apache's MinSpareThreads. A request waiting for a thread in any process scales up at once.`,
      }),
    scaleDownStabilizationSeconds: integerAtLeast(
      0,
      `A scale-down takes the highest recommendation of this many past seconds (default ${DEFAULT_SCALE_DOWN_STABILIZATION_SECONDS}, as the HPA's), so a short lull does not remove processes; scale-up is not delayed. Processes removed drain as in a rollout.`,
    ).default(DEFAULT_SCALE_DOWN_STABILIZATION_SECONDS),
  })
  .meta({
    description:
      "Scale the processes between spec.processes (the minimum, default 1) and maxProcesses from the worker threads' busy ratio and queue, read from each ready process's /metrics, like Apache's spare-worker MPMs across pods. The group is multiprocess. kubectl scale moves the minimum.",
  });

export type Elastic = z.output<typeof Elastic>;
