import {
  AppsV1Api,
  CoordinationV1Api,
  CoreV1Api,
  CustomObjectsApi,
  IsomorphicFetchHttpLibrary,
  NetworkingV1Api,
  PatchStrategy,
  RbacAuthorizationV1Api,
  ServerConfiguration,
  createConfiguration,
  setHeaderOptions,
  wrapHttpLibrary,
  type ConfigurationOptions,
  type KubeConfig,
  type ObservableMiddleware,
  type RequestContext,
} from "@kubernetes/client-node";
import { SharedConnections } from "./shared-connections.ts";

/** Told about every API request the typed clients make, once its answer (or failure) is in. */
export type RequestObserver = (request: { readonly verb: string; readonly resource: string; readonly code: string }) => void;

/** The API clients the operator uses, all sharing one configuration that reports each request. */
export interface ApiClients {
  readonly core: CoreV1Api;
  readonly apps: AppsV1Api;
  readonly networking: NetworkingV1Api;
  readonly custom: CustomObjectsApi;
  readonly coordination: CoordinationV1Api;
  readonly rbac: RbacAuthorizationV1Api;
}

/** The resource a REST path names: `/apis/apps/v1/namespaces/x/deployments/y/status` -> `deployments`. */
export function resourceOf(url: string): string {
  const segments = new URL(url, "https://cluster.invalid").pathname.split("/").filter(Boolean);
  const start = segments[0] === "api" ? 2 : segments[0] === "apis" ? 3 : 0;
  const rest = segments.slice(start);
  const resource = rest[0] === "namespaces" && rest.length > 2 ? rest[2] : rest[0];
  return resource ?? "unknown";
}

/** GET of a collection is a list; the other verbs are the HTTP method, lowercased. */
export function verbOf(method: string, url: string): string {
  const m = method.toLowerCase();
  if (m !== "get") return m;
  const segments = new URL(url, "https://cluster.invalid").pathname.split("/").filter(Boolean);
  const start = segments[0] === "api" ? 2 : 3;
  const rest = segments.slice(start);
  const named = rest[0] === "namespaces" ? rest.length > 3 || rest.length === 2 : rest.length > 1;
  return named ? "get" : "list";
}

type Dispatcher = NonNullable<ReturnType<RequestContext["getDispatcher"]>>;

/** How long requests share one connection pool before a new one (with fresh credentials) takes over. */
const CONNECTION_POOL_MAX_AGE_MS = 5 * 60_000;

export function makeApiClients(kc: KubeConfig, observe: RequestObserver): ApiClients {
  const cluster = kc.getCurrentCluster();
  if (!cluster) throw new Error("the kubeconfig has no current cluster");
  const inner = new IsomorphicFetchHttpLibrary();
  const connections = new SharedConnections<Dispatcher>({
    maxAgeMs: CONNECTION_POOL_MAX_AGE_MS,
    retire: (pool) => void pool.close().catch(() => {}),
  });
  const httpApi = wrapHttpLibrary({
    async send(request: RequestContext) {
      const pool = connections.take(request.getDispatcher(), Date.now());
      if (pool) request.setDispatcher(pool);
      const verb = verbOf(request.getHttpMethod(), request.getUrl());
      const resource = resourceOf(request.getUrl());
      try {
        const response = await inner.send(request).toPromise();
        observe({ verb, resource, code: String(response.httpStatusCode) });
        return response;
      } catch (error) {
        observe({ verb, resource, code: "error" });
        throw error;
      }
    },
  });
  const configuration = createConfiguration({
    baseServer: new ServerConfiguration(cluster.server, {}),
    authMethods: { default: kc },
    httpApi,
  });
  return {
    core: new CoreV1Api(configuration),
    apps: new AppsV1Api(configuration),
    networking: new NetworkingV1Api(configuration),
    custom: new CustomObjectsApi(configuration),
    coordination: new CoordinationV1Api(configuration),
    rbac: new RbacAuthorizationV1Api(configuration),
  };
}

/** Per-call options that send a patch body with the given content type (the generated clients default to JSON Patch). */
export function patchAs(strategy: PatchStrategy): ConfigurationOptions<ObservableMiddleware> {
  return setHeaderOptions("Content-Type", strategy);
}

export const serverSideApply = patchAs(PatchStrategy.ServerSideApply);
export const mergePatch = patchAs(PatchStrategy.MergePatch);
