import {
  AppsV1Api,
  CoreV1Api,
  CustomObjectsApi,
  IsomorphicFetchHttpLibrary,
  ServerConfiguration,
  createConfiguration,
  wrapHttpLibrary,
  type KubeConfig,
  type RequestContext,
} from "@kubernetes/client-node";

export interface BenchClients {
  readonly apps: AppsV1Api;
  readonly core: CoreV1Api;
  readonly custom: CustomObjectsApi;
}

type Dispatcher = NonNullable<ReturnType<RequestContext["getDispatcher"]>>;

/**
 * The bench's own clients. client-node gives every request a new connection pool (so a new
 * TLS handshake); the bench reuses the first one, so its creates cost the apiserver a request
 * each and nothing more, and the client is not what is measured.
 */
export function benchClients(kc: KubeConfig): BenchClients {
  const cluster = kc.getCurrentCluster();
  if (!cluster) throw new Error("the kubeconfig has no current cluster");
  const inner = new IsomorphicFetchHttpLibrary();
  let pooled: Dispatcher | undefined;
  const httpApi = wrapHttpLibrary({
    send(request: RequestContext) {
      pooled ??= request.getDispatcher();
      if (pooled !== undefined) request.setDispatcher(pooled);
      return inner.send(request).toPromise();
    },
  });
  const configuration = createConfiguration({ baseServer: new ServerConfiguration(cluster.server, {}), authMethods: { default: kc }, httpApi });
  return { apps: new AppsV1Api(configuration), core: new CoreV1Api(configuration), custom: new CustomObjectsApi(configuration) };
}
