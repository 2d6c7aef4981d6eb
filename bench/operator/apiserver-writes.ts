import type { KubeConfig } from "@kubernetes/client-node";
import { get, type RequestOptions } from "node:https";
import { parsePrometheusText, sumOf, type Sample } from "./prometheus-text.ts";

const READ_VERBS: ReadonlySet<string> = new Set(["GET", "LIST", "WATCH", "CONNECT"]);

/**
 * Writes the apiserver counted to the kinds only our operator writes while nothing changes:
 * ProcessGroups (and their status), Deployments (not deployments/status, which
 * kube-controller-manager keeps up to date), Services and Ingresses. apiserver_request_total
 * has no label for the client, so this bounds the operator's writes to them from above.
 */
export function writesToOurKinds(samples: readonly Sample[]): number {
  return sumOf(samples, "apiserver_request_total", (l) => {
    if (READ_VERBS.has(l["verb"] ?? "")) return false;
    const group = l["group"] ?? "";
    const resource = l["resource"] ?? "";
    const subresource = l["subresource"] ?? "";
    if (group === "processgroup.dev") return resource === "processgroups";
    if (group === "apps") return resource === "deployments" && subresource !== "status";
    if (group === "") return resource === "services";
    return group === "networking.k8s.io" && resource === "ingresses";
  });
}

/** The apiserver's /metrics, read with the kubeconfig's (admin) credentials. */
export async function fetchApiserverMetrics(kc: KubeConfig): Promise<Sample[]> {
  const server = kc.getCurrentCluster()?.server;
  if (server === undefined) throw new Error("the kubeconfig has no current cluster");
  const options: RequestOptions = {};
  await kc.applyToHTTPSOptions(options);
  const text = await new Promise<string>((resolve, reject) => {
    get(new URL("/metrics", server), options, (res) => {
      let body = "";
      res.setEncoding("utf8");
      res.on("data", (chunk: string) => (body += chunk));
      res.on("end", () => (res.statusCode === 200 ? resolve(body) : reject(new Error(`apiserver /metrics answered ${res.statusCode}: ${body.slice(0, 200)}`))));
    }).on("error", reject);
  });
  return parsePrometheusText(text);
}
