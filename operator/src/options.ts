import { readFileSync } from "node:fs";
import { randomBytes } from "node:crypto";
import { hostname } from "node:os";
import { z } from "zod";
import { describeProblems, parseWith } from "../../crds/index.ts";
import { LOG_FORMATS, LOG_LEVELS } from "./observability/logger.ts";
import { DEFAULT_RUNTIME_IMAGE } from "./render/options.ts";

export const DEFAULT_LEASE_NAME = "processgroup-operator";
export const DEFAULT_PORT = 8081;

const SERVICE_ACCOUNT_NAMESPACE = "/var/run/secrets/kubernetes.io/serviceaccount/namespace";

const count = (what: string) => z.coerce.number({ error: `must be ${what}` }).int({ error: `must be ${what}` });
const seconds = z.coerce.number({ error: "must be a number of seconds" }).positive({ error: "must be a number of seconds > 0" });
const onOff = z.enum(["true", "false"], { error: "must be true or false" }).transform((v) => v === "true");

/** The `processgroup operator` flags, as parsed and checked values. */
export const OperatorFlags = z
  .object({
    kubeconfig: z.string().optional(),
    namespaces: z
      .array(z.string())
      .default([])
      .transform((list) => list.flatMap((n) => n.split(",")).map((n) => n.trim()).filter(Boolean)),
    concurrency: count("an integer >= 1").min(1, { error: "must be an integer >= 1" }).default(4),
    "metrics-port": count("a port number").min(0).max(65535, { error: "must be a port number" }).default(DEFAULT_PORT),
    "bind-address": z.string().default("0.0.0.0"),
    "leader-elect": onOff.default(true),
    "lease-namespace": z.string().optional(),
    "lease-name": z.string().default(DEFAULT_LEASE_NAME),
    "lease-duration": seconds.default(15),
    "renew-deadline": seconds.default(10),
    "retry-period": seconds.default(2),
    "resync-period": z.coerce.number({ error: "must be a number of seconds" }).min(0).default(300),
    "runtime-image": z.string().min(1).default(DEFAULT_RUNTIME_IMAGE),
    "log-level": z.enum(LOG_LEVELS, { error: `must be one of ${LOG_LEVELS.join(", ")}` }).default("info"),
    "log-format": z.enum(LOG_FORMATS, { error: `must be one of ${LOG_FORMATS.join(", ")}` }).optional(),
    identity: z.string().optional(),
  })
  .refine((f) => f["renew-deadline"] < f["lease-duration"], { error: "--renew-deadline must be shorter than --lease-duration", path: ["renew-deadline"] })
  .refine((f) => f["retry-period"] < f["renew-deadline"], { error: "--retry-period must be shorter than --renew-deadline", path: ["retry-period"] });
export type OperatorFlags = z.output<typeof OperatorFlags>;

export type FlagsResult = { ok: true; flags: OperatorFlags } | { ok: false; message: string };

export function parseOperatorFlags(values: Record<string, unknown>): FlagsResult {
  const parsed = parseWith(OperatorFlags, values);
  if (parsed.ok) return { ok: true, flags: parsed.value };
  return { ok: false, message: describeProblems(parsed.problems.map((p) => ({ ...p, path: `--${p.path.split(".")[0] ?? p.path}` }))) };
}

/** The namespace of the operator's own pod, where its Lease lives; "default" outside a cluster. */
export function ownNamespace(env: NodeJS.ProcessEnv = process.env): string {
  const fromEnv = env["POD_NAMESPACE"];
  if (fromEnv) return fromEnv;
  try {
    return readFileSync(SERVICE_ACCOUNT_NAMESPACE, "utf8").trim() || "default";
  } catch {
    return "default";
  }
}

/**
 * The pod's name (the chart passes POD_NAME; in a pod it is also the hostname), made unique per
 * process: a restarted pod with the same name must not think it still holds the lease.
 */
export function defaultIdentity(env: NodeJS.ProcessEnv = process.env): string {
  return `${env["POD_NAME"] || hostname()}_${randomBytes(4).toString("hex")}`;
}
