import { ApiException } from "@kubernetes/client-node";
import { z } from "zod";

// The metav1.Status an apiserver sends with a refusal; only the parts tests assert on.
const statusSchema = z.object({
  code: z.number(),
  reason: z.string().optional(),
  message: z.string(),
  details: z
    .object({
      causes: z.array(z.object({ reason: z.string().optional(), message: z.string().optional(), field: z.string().optional() })).optional(),
    })
    .optional(),
});
export type ApiRefusal = z.infer<typeof statusSchema>;

/** The apiserver's Status when it refuses the call; undefined when it accepts it. */
export async function refusalOrUndefined(call: Promise<unknown>): Promise<ApiRefusal | undefined> {
  try {
    await call;
    return undefined;
  } catch (error) {
    if (error instanceof ApiException && error.code >= 400 && error.code < 500) {
      const body: unknown = typeof error.body === "string" ? JSON.parse(error.body) : error.body;
      return statusSchema.parse(body);
    }
    throw error;
  }
}

/** Awaits a call that must be refused and returns the apiserver's Status for assertions. */
export async function refusal(call: Promise<unknown>): Promise<ApiRefusal> {
  const refused = await refusalOrUndefined(call);
  if (refused === undefined) throw new Error("expected the apiserver to refuse the request, but it was accepted");
  return refused;
}
