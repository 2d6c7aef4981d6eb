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

/** Awaits a call that must be refused and returns the apiserver's Status for assertions. */
export async function refusal(call: Promise<unknown>): Promise<ApiRefusal> {
  try {
    await call;
  } catch (error) {
    if (error instanceof ApiException) {
      const body: unknown = typeof error.body === "string" ? JSON.parse(error.body) : error.body;
      return statusSchema.parse(body);
    }
    throw error;
  }
  throw new Error("expected the apiserver to refuse the request, but it was accepted");
}
