import { readFileSync } from "node:fs";
import { request } from "node:https";
import { z } from "zod";

// A small client for coordination.k8s.io/v1 Leases on node:https: the runtime must not load
// @kubernetes/client-node (its models cost tens of MB), and a Lease is three calls.

export const SERVICE_ACCOUNT_DIR = "/var/run/secrets/kubernetes.io/serviceaccount";

export const Lease = z.object({
  metadata: z.object({
    name: z.string(),
    namespace: z.string().optional(),
    resourceVersion: z.string().optional(),
    labels: z.record(z.string(), z.string()).optional(),
    annotations: z.record(z.string(), z.string()).optional(),
    ownerReferences: z.array(z.looseObject({ apiVersion: z.string(), kind: z.string(), name: z.string(), uid: z.string() })).optional(),
  }),
  spec: z
    .object({
      holderIdentity: z.string().nullish(),
      leaseDurationSeconds: z.number().int().nullish(),
      acquireTime: z.string().nullish(),
      renewTime: z.string().nullish(),
      leaseTransitions: z.number().int().nullish(),
    })
    .optional(),
});
export type Lease = z.output<typeof Lease>;

const Status = z.looseObject({ message: z.string().optional(), reason: z.string().optional() });

/** Where the API server is and how to authenticate: a pod's own ServiceAccount, or given (tests). */
export interface LeaseApiAccess {
  readonly server: URL;
  readonly ca: string | undefined;
  /** Read for every request: a projected token is rotated under the pod's feet. */
  token(): string;
}

export function serviceAccountAccess(env: NodeJS.ProcessEnv): LeaseApiAccess {
  const host = env.KUBERNETES_SERVICE_HOST ?? "";
  const port = env.KUBERNETES_SERVICE_PORT ?? "443";
  return {
    server: new URL(`https://${host.includes(":") ? `[${host}]` : host}:${port}`),
    ca: readFileSync(`${SERVICE_ACCOUNT_DIR}/ca.crt`, "utf8"),
    token: () => readFileSync(`${SERVICE_ACCOUNT_DIR}/token`, "utf8").trim(),
  };
}

const REQUEST_TIMEOUT_MS = 10_000;

/** Kubernetes MicroTime: RFC 3339 with six fractional digits. */
export function microTime(ms: number): string {
  return new Date(ms).toISOString().replace(/\.(\d{3})Z$/, ".$1000Z");
}

export class LeaseClient {
  readonly #access: LeaseApiAccess;

  constructor(access: LeaseApiAccess) {
    this.#access = access;
  }

  #path(namespace: string, name?: string): string {
    return `/apis/coordination.k8s.io/v1/namespaces/${encodeURIComponent(namespace)}/leases${name === undefined ? "" : `/${encodeURIComponent(name)}`}`;
  }

  async get(namespace: string, name: string): Promise<Lease | undefined> {
    const { status, body } = await this.#send("GET", this.#path(namespace, name));
    if (status === 404) return undefined;
    return this.#lease(status, body, "read");
  }

  /** The created Lease, or "conflict" when one of that name exists already. */
  async create(namespace: string, lease: Lease): Promise<Lease | "conflict"> {
    const { status, body } = await this.#send("POST", this.#path(namespace), { apiVersion: "coordination.k8s.io/v1", kind: "Lease", ...lease });
    if (status === 409) return "conflict";
    return this.#lease(status, body, "create");
  }

  /** The replaced Lease, or "conflict" when it changed since `lease.metadata.resourceVersion` (or is gone). */
  async replace(namespace: string, lease: Lease): Promise<Lease | "conflict"> {
    const { status, body } = await this.#send("PUT", this.#path(namespace, lease.metadata.name), { apiVersion: "coordination.k8s.io/v1", kind: "Lease", ...lease });
    if (status === 409 || status === 404) return "conflict";
    return this.#lease(status, body, "update");
  }

  #lease(status: number, body: unknown, verb: string): Lease {
    if (status < 200 || status > 299) {
      const parsed = Status.safeParse(body);
      throw new Error(`the API server refused to ${verb} a Lease: HTTP ${status}${parsed.success && parsed.data.message ? `: ${parsed.data.message}` : ""}`);
    }
    const parsed = Lease.safeParse(body);
    if (!parsed.success) throw new Error(`the API server answered a Lease ${verb} with something that is not a Lease: ${parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ")}`);
    return parsed.data;
  }

  #send(method: string, path: string, payload?: unknown): Promise<{ status: number; body: unknown }> {
    const data = payload === undefined ? undefined : JSON.stringify(payload);
    return new Promise((resolve, reject) => {
      const req = request(
        new URL(path, this.#access.server),
        {
          method,
          ...(this.#access.ca !== undefined ? { ca: this.#access.ca } : {}),
          timeout: REQUEST_TIMEOUT_MS,
          headers: {
            authorization: `Bearer ${this.#access.token()}`,
            accept: "application/json",
            ...(data !== undefined ? { "content-type": "application/json", "content-length": Buffer.byteLength(data) } : {}),
          },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on("data", (chunk: Buffer) => chunks.push(chunk));
          res.on("error", reject);
          res.on("end", () => {
            const text = Buffer.concat(chunks).toString("utf8");
            let body: unknown;
            try {
              body = text === "" ? undefined : JSON.parse(text);
            } catch {
              body = text;
            }
            resolve({ status: res.statusCode ?? 0, body });
          });
        },
      );
      req.on("timeout", () => req.destroy(new Error(`the API server did not answer ${method} ${path} within ${REQUEST_TIMEOUT_MS / 1000} s`)));
      req.on("error", reject);
      req.end(data);
    });
  }
}
