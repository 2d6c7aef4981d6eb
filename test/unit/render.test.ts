import { readdirSync, readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { ENV, flags, parseProcessGroupDocuments, parseWith, ProcessGroup, type ProcessGroupInput } from "../../crds/index.ts";
import { NAME_LABEL, SOURCE_CHECKSUM_ANNOTATION } from "../../operator/src/render/labels.ts";
import { defaultRenderOptions } from "../../operator/src/render/options.ts";
import { render, renderedObjects } from "../../operator/src/render/render.ts";

const examples = new URL("../../examples/", import.meta.url);

function group(spec: Partial<ProcessGroupInput["spec"]>, metadata: Record<string, unknown> = {}): ProcessGroup {
  const result = parseWith(ProcessGroup, {
    apiVersion: "processgroup.dev/v1alpha1",
    kind: "ProcessGroup",
    metadata: { name: "site1", namespace: "web", ...metadata },
    spec: { applications: [{ name: "hello", mount: "/", entry: "apps/hello.mjs" }], ...spec },
  });
  if (!result.ok) throw new Error(JSON.stringify(result.problems));
  return result.value;
}

function envOf(pg: ProcessGroup): Record<string, string | undefined> {
  const container = render(pg).deployment.spec?.template.spec?.containers[0];
  return Object.fromEntries((container?.env ?? []).map((e) => [e.name, e.value]));
}

describe("render", () => {
  const cases = [
    ["prefork.yaml", 5, "true", "false", "1"],
    ["worker.yaml", 2, "true", "true", "25"],
    ["winnt.yaml", 1, "false", "true", "25"],
    ["app-groups.yaml", 2, "true", "true", "4"],
    ["express.yaml", 1, "false", "true", "4"],
  ] as const;

  it("covers every example in examples/", () => {
    const files = readdirSync(examples).filter((f) => f.endsWith(".yaml"));
    expect(files.sort()).toEqual(cases.map((c) => c[0]).sort());
  });

  it.each(cases)("%s: replicas %i, multiprocess %s, multithread %s, threads %s", (file, replicas, multiprocess, multithread, threads) => {
    const [doc] = parseProcessGroupDocuments(readFileSync(new URL(file, examples), "utf8"));
    if (!doc?.result.ok) throw new Error(`${file} does not parse`);
    const pg = doc.result.value;
    expect(render(pg).deployment.spec?.replicas).toBe(replicas);
    expect(envOf(pg)).toMatchObject({
      [ENV.name]: pg.metadata.name,
      [ENV.multiprocess]: multiprocess,
      [ENV.multithread]: multithread,
      [ENV.threads]: threads,
    });
  });

  it("passes spec.concurrency in the env and the config, 1 when omitted", () => {
    for (const [spec, expected] of [[{}, 1], [{ concurrency: 64 }, 64]] as const) {
      const env = envOf(group(spec));
      expect(env[ENV.concurrency]).toBe(String(expected));
      expect(JSON.parse(env[ENV.config] ?? "{}")).toMatchObject({ concurrency: expected });
    }
  });

  it("passes the seven flag vectors to the runtime", () => {
    for (const spec of [{ threads: 25 }, { processes: 1, threads: 25 }, { processes: 2, threads: 25 }, { processes: 5, threads: 1 }, { processes: 1, threads: 1 }, { threads: 1 }, {}]) {
      const pg = group(spec);
      const f = flags(pg.spec);
      expect(render(pg).deployment.spec?.replicas).toBe(f.processes);
      expect(envOf(pg)).toMatchObject({ [ENV.multiprocess]: String(f.multiprocess), [ENV.multithread]: String(f.multithread), [ENV.threads]: String(f.threads) });
    }
  });

  it("puts the group's labels on every object and pod and selects by name", () => {
    const rendered = render(group({ route: { host: "example.com" } }));
    for (const obj of renderedObjects(rendered)) {
      expect(obj.metadata?.labels).toMatchObject({ [NAME_LABEL]: "site1", "app.kubernetes.io/instance": "site1", "app.kubernetes.io/managed-by": "processgroup-operator" });
    }
    expect(rendered.deployment.spec?.template.metadata?.labels?.[NAME_LABEL]).toBe("site1");
    expect(rendered.deployment.spec?.selector.matchLabels).toEqual({ [NAME_LABEL]: "site1" });
    expect(rendered.service.spec?.selector).toEqual({ [NAME_LABEL]: "site1" });
  });

  it("runs the runtime under the restricted Pod Security profile", () => {
    const pod = render(group({})).deployment.spec?.template.spec;
    expect(pod?.securityContext).toMatchObject({ runAsNonRoot: true, seccompProfile: { type: "RuntimeDefault" } });
    expect(pod?.containers[0]?.securityContext).toEqual({ allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, runAsNonRoot: true, capabilities: { drop: ["ALL"] } });
  });

  it("derives the termination grace period from the graceful and shutdown timeouts", () => {
    const a = render(group({ gracefulTimeoutSeconds: 30, shutdownTimeoutSeconds: 10 })).deployment.spec?.template.spec?.terminationGracePeriodSeconds;
    const b = render(group({ gracefulTimeoutSeconds: 5, shutdownTimeoutSeconds: 5 })).deployment.spec?.template.spec?.terminationGracePeriodSeconds;
    expect(a! - b!).toBe(30);
    expect(b).toBeGreaterThan(10);
  });

  it("sets owner references only when the group has a uid", () => {
    expect(render(group({})).deployment.metadata?.ownerReferences).toBeUndefined();
    const owned = render(group({}, { uid: "1234" })).service.metadata?.ownerReferences;
    expect(owned).toEqual([{ apiVersion: "processgroup.dev/v1alpha1", kind: "ProcessGroup", name: "site1", uid: "1234", controller: true, blockOwnerDeletion: true }]);
  });

  it("mounts a ConfigMap source at the root and rolls pods by its checksum", () => {
    const pg = group({ source: { type: "ConfigMap", configMap: { name: "site1-code" }, root: "/srv/app" } });
    const a = render(pg, { ...defaultRenderOptions, sourceChecksum: "abc" }).deployment.spec?.template;
    const b = render(pg, { ...defaultRenderOptions, sourceChecksum: "def" }).deployment.spec?.template;
    expect(a?.spec?.volumes).toContainEqual({ name: "app-source", configMap: { name: "site1-code" } });
    expect(a?.spec?.containers[0]?.volumeMounts).toContainEqual({ name: "app-source", mountPath: "/srv/app", readOnly: true });
    expect(a?.metadata?.annotations?.[SOURCE_CHECKSUM_ANNOTATION]).toBe("abc");
    expect(b?.metadata?.annotations?.[SOURCE_CHECKSUM_ANNOTATION]).toBe("def");
  });

  it("keeps processes out of the pod template, so scaling does not roll pods", () => {
    const two = render(group({ processes: 2 })).deployment.spec?.template;
    const three = render(group({ processes: 3 })).deployment.spec?.template;
    expect(three).toEqual(two);
  });

  it("routes each mount on the host to the group's Service", () => {
    const pg = group({
      route: { host: "example.com", ingressClassName: "nginx" },
      applications: [
        { name: "blog", mount: "/blog", entry: "blog.mjs" },
        { name: "shop", mount: "/shop", entry: "shop.mjs" },
      ],
    });
    const ingress = render(pg).ingress;
    expect(ingress?.spec?.ingressClassName).toBe("nginx");
    expect(ingress?.spec?.rules?.[0]?.host).toBe("example.com");
    expect(ingress?.spec?.rules?.[0]?.http?.paths.map((p) => [p.path, p.pathType, p.backend.service?.name])).toEqual([
      ["/blog", "Prefix", "site1"],
      ["/shop", "Prefix", "site1"],
    ]);
    expect(render(group({})).ingress).toBeUndefined();
  });

  it("uses spec.image over the operator's runtime image and passes the user's env", () => {
    const pg = group({ image: "registry.example/site1:v2", env: [{ name: "LANG", value: "en_US.UTF-8" }] });
    expect(render(pg).deployment.spec?.template.spec?.containers[0]?.image).toBe("registry.example/site1:v2");
    expect(envOf(pg)["LANG"]).toBe("en_US.UTF-8");
    expect(render(group({}), { runtimeImage: "my/runtime:1" }).deployment.spec?.template.spec?.containers[0]?.image).toBe("my/runtime:1");
  });
});

describe("render: what env.once() needs in a cluster", () => {
  it("gives the group's pods an account of their own, allowed Leases in the group's namespace only", () => {
    const pg = group({}, { uid: "pg-uid" });
    const { serviceAccount, role, roleBinding, deployment } = render(pg);
    expect(serviceAccount.metadata).toMatchObject({ name: "site1-runtime", namespace: "web", labels: { [NAME_LABEL]: "site1" } });
    expect(serviceAccount.metadata?.ownerReferences?.[0]).toMatchObject({ kind: "ProcessGroup", name: "site1", uid: "pg-uid", controller: true });
    expect(serviceAccount.automountServiceAccountToken).toBe(false);
    expect(role.metadata).toMatchObject({ name: "site1-once", namespace: "web" });
    expect(role.rules).toEqual([{ apiGroups: ["coordination.k8s.io"], resources: ["leases"], verbs: ["get", "create", "update"] }]);
    expect(roleBinding.metadata).toMatchObject({ name: "site1-once", namespace: "web" });
    expect(roleBinding.roleRef).toEqual({ apiGroup: "rbac.authorization.k8s.io", kind: "Role", name: "site1-once" });
    expect(roleBinding.subjects).toEqual([{ kind: "ServiceAccount", name: "site1-runtime", namespace: "web" }]);
    const podSpec = deployment.spec?.template.spec;
    expect(podSpec?.serviceAccountName).toBe("site1-runtime");
    expect(podSpec?.automountServiceAccountToken).toBe(true);
  });

  it("tells each pod its rollout (the pod-template-hash label, by the downward API) and its group's uid", () => {
    const env = render(group({}, { uid: "pg-uid" })).deployment.spec?.template.spec?.containers[0]?.env ?? [];
    expect(env.find((e) => e.name === ENV.revision)).toEqual({ name: ENV.revision, valueFrom: { fieldRef: { fieldPath: "metadata.labels['pod-template-hash']" } } });
    expect(env.find((e) => e.name === ENV.namespace)?.valueFrom?.fieldRef?.fieldPath).toBe("metadata.namespace");
    expect(env.find((e) => e.name === ENV.uid)).toEqual({ name: ENV.uid, value: "pg-uid" });
    // Without a uid (processgroup render of a file) there is no owner to name.
    expect((render(group({})).deployment.spec?.template.spec?.containers[0]?.env ?? []).some((e) => e.name === ENV.uid)).toBe(false);
  });

  it("lists the account objects before the Deployment that uses them", () => {
    expect(renderedObjects(render(group({}))).map((o) => o.kind)).toEqual(["ServiceAccount", "Role", "RoleBinding", "Deployment", "Service"]);
  });
});
