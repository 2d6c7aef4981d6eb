import { z } from "zod";

// Named, reusable field types. Each carries one error message that states its rule, so a
// person reads the same words from `processgroup render`, the runtime and the API server.

export const INT_AT_LEAST_1 = "must be an integer >= 1";
export const INT_AT_LEAST_0 = "must be an integer >= 0";

export function integerAtLeast(minimum: 0 | 1, description: string) {
  const error = minimum === 1 ? INT_AT_LEAST_1 : INT_AT_LEAST_0;
  return z.int({ error }).min(minimum, { error }).max(2_147_483_647, { error: "must fit in 32 bits" }).meta({ description });
}

export function seconds(description: string) {
  return integerAtLeast(1, `${description} In whole seconds.`);
}

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
export function dnsLabel(description: string) {
  return z
    .string({ error: "must be a string" })
    .min(1, { error: "must not be empty" })
    .max(63, { error: "must be at most 63 characters" })
    .regex(DNS_LABEL, { error: "must be a DNS label: lowercase letters, digits and '-', starting and ending with a letter or digit" })
    .meta({ description });
}

const DNS_NAME = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
export function dnsName(description: string) {
  return z
    .string({ error: "must be a string" })
    .max(253, { error: "must be at most 253 characters" })
    .regex(DNS_NAME, { error: "must be a DNS name such as example.com" })
    .meta({ description });
}

// A URL path prefix: "/" or "/a/b" (no trailing slash, no "//"), so that prefix matching in
// the runtime and Ingress Prefix paths mean the same thing.
const MOUNT_MESSAGE = "must be a URL path prefix starting with '/', such as / or /blog (no trailing '/')";
const MOUNT = /^\/$|^(\/[A-Za-z0-9._~!$&'()*+,;=:@%-]+)+$/;
export function mountPath(description: string) {
  return z
    .string({ error: "must be a string" })
    .max(256, { error: "must be at most 256 characters" })
    .regex(MOUNT, { error: MOUNT_MESSAGE })
    // The OpenAPI pattern's own refusal quotes the regex; this rule says it in words.
    .meta({ description, "x-kubernetes-validations": [{ rule: "self.startsWith('/') && (self == '/' || !self.endsWith('/'))", message: MOUNT_MESSAGE }] });
}

export function nonEmptyString(description: string, maxLength = 1024) {
  return z
    .string({ error: "must be a string" })
    .min(1, { error: "must not be empty" })
    .max(maxLength, { error: `must be at most ${maxLength} characters` })
    .meta({ description });
}

// Kubernetes quantities are int-or-string on the wire ("500m", "256Mi", 1).
const QUANTITY = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+|[KMGTPE]i?|[munkMGTPE])?$/;
export function quantity(description: string) {
  return z
    .union([z.int(), z.string().regex(QUANTITY, { error: "must be a Kubernetes quantity such as 500m or 256Mi" })], {
      error: "must be a Kubernetes quantity such as 500m or 256Mi",
    })
    .meta({ description });
}
