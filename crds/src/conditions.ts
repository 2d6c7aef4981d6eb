import { z } from "zod";

export const ConditionStatus = z.enum(["True", "False", "Unknown"]);

// metav1.Condition, field for field, so generic tooling (kubectl wait, kstatus) reads it.
export const Condition = z
  .object({
    type: z.string().max(316).meta({ description: "Type of condition: Ready, Progressing, Degraded, or ScalingActive on an elastic group." }),
    status: ConditionStatus.meta({ description: "True, False or Unknown." }),
    observedGeneration: z.int().min(0).optional().meta({ description: "The .metadata.generation the condition was set for." }),
    lastTransitionTime: z.string().meta({ description: "When the condition last changed status (RFC 3339).", format: "date-time" }),
    reason: z.string().max(1024).meta({ description: "A CamelCase word for programs." }),
    message: z.string().max(32768).meta({ description: "What happened, for people." }),
  })
  .meta({ description: "A status condition (metav1.Condition)." });

export type Condition = z.output<typeof Condition>;
export type ConditionStatus = z.output<typeof ConditionStatus>;
