import { CustomObjectsApi } from "@kubernetes/client-node";
import fc from "fast-check";
import { beforeAll, describe, expect, it } from "vitest";
import { parseWith, ProcessGroup } from "../../crds/index.ts";
import { refusalOrUndefined } from "./support/api-error.ts";
import { kubeConfig } from "./support/control-plane.ts";
import { applyCrd, processGroupApi } from "./support/crd.ts";
import { createTestNamespace } from "./support/namespace.ts";

// The zod schema (processgroup render, the runtime) and the CRD (kubectl apply) are two
// enforcements of one definition. Generated specs, valid and invalid, must get the same
// verdict from both: none accepted by one and refused by the other.

const maybe = <T>(arb: fc.Arbitrary<T>) => fc.option(arb, { nil: undefined, freq: 2 });
const rarely = <T>(arb: fc.Arbitrary<T>) => fc.oneof({ weight: 6, arbitrary: fc.constant(undefined) }, { weight: 1, arbitrary: arb });
/** Mostly valid values, sometimes not, so both verdicts are common. */
const mostly = <T, U>(valid: fc.Arbitrary<T>, invalid: fc.Arbitrary<U>) =>
  fc.oneof({ weight: 6, arbitrary: valid as fc.Arbitrary<T | U> }, { weight: 1, arbitrary: invalid as fc.Arbitrary<T | U> });
const application = fc.record(
  {
    name: mostly(fc.constantFrom("a", "b", "hello"), fc.constantFrom("A", "a-")),
    mount: mostly(fc.constantFrom("/", "/a", "/b", "/a/b"), fc.constantFrom("/a/", "a", "//", "/a b")),
    entry: mostly(fc.constantFrom("x.mjs", "apps/y.mjs"), fc.constant("")),
    applicationGroup: maybe(mostly(fc.constantFrom("%{GLOBAL}", "g"), fc.constantFrom("G", "%{RESOURCE}"))),
    requires: rarely(fc.record({ multiprocess: maybe(fc.boolean()), multithread: maybe(fc.boolean()) })),
  },
  { requiredKeys: ["name", "mount", "entry"] },
);
const spec = fc.record(
  {
    processes: mostly(fc.integer({ min: 1, max: 4 }), fc.constantFrom(0, -1, "2", 1.5)),
    threads: mostly(fc.integer({ min: 1, max: 30 }), fc.constantFrom(0, "many")),
    applications: mostly(
      fc.uniqueArray(application, { minLength: 1, maxLength: 3, comparator: (a, b) => a.name === b.name || a.mount === b.mount }),
      fc.oneof(fc.constant([]), fc.array(application, { minLength: 2, maxLength: 3 })),
    ),
    env: fc.uniqueArray(fc.record({ name: mostly(fc.constantFrom("LANG", "TZ"), fc.constantFrom("PROCESSGROUP_X", "1A")), value: fc.constantFrom("v", "") }), { maxLength: 2, selector: (e) => e.name }),
    source: mostly(fc.constantFrom({ type: "ConfigMap", configMap: { name: "code" } }, { type: "Image" }, { root: "/srv" }), fc.constantFrom({ type: "ConfigMap" }, { type: "Image", configMap: { name: "code" } }, { type: "Git" }, { root: "app" })),
    resources: mostly(fc.constantFrom({ limits: { cpu: "500m" } }, { limits: { cpu: 1, memory: "256Mi" } }), fc.constantFrom({ requests: { cpu: "lots" } })),
    route: mostly(fc.constantFrom({ host: "example.com" }, { host: "example.com", ingressClassName: "nginx" }), fc.constant({ host: "Bad_Host" })),
    queueTimeoutSeconds: mostly(fc.integer({ min: 1, max: 3 }), fc.constant(0)),
    maximumRequests: mostly(fc.integer({ min: 0, max: 3 }), fc.constant(-1)),
    colour: rarely(fc.constant("blue")),
  },
  { requiredKeys: ["applications"] },
);

describe("zod and the CRD agree", () => {
  let namespace: string;
  beforeAll(async () => {
    await applyCrd();
    namespace = (await createTestNamespace("agreement")).name;
  });

  it("on every generated spec, valid or not", async () => {
    const api = kubeConfig().makeApiClient(CustomObjectsApi);
    let accepted = 0;
    let refused = 0;
    await fc.assert(
      fc.asyncProperty(spec, mostly(fc.constant("site1"), fc.constant("1site")), async (s, name) => {
        // What a YAML or JSON file can say: keys with undefined values do not exist.
        const body: unknown = JSON.parse(JSON.stringify({ apiVersion: "processgroup.dev/v1alpha1", kind: "ProcessGroup", metadata: { name }, spec: s }));
        const zod = parseWith(ProcessGroup, body);
        const server = await refusalOrUndefined(
          api.createNamespacedCustomObject({ ...processGroupApi, namespace, body: body as object, dryRun: "All", fieldValidation: "Strict" }),
        );
        if (server === undefined) accepted++;
        else refused++;
        const verdicts = { zod: zod.ok ? "accepted" : zod.problems.map((p) => `${p.path}: ${p.message}`), apiserver: server?.message ?? "accepted" };
        expect(zod.ok === (server === undefined), JSON.stringify({ spec: s, name, ...verdicts }, null, 1)).toBe(true);
      }),
      { numRuns: 300, seed: 20261122 },
    );
    // The generator must exercise both sides, or the property proves little.
    expect(accepted).toBeGreaterThan(10);
    expect(refused).toBeGreaterThan(10);
  });
});
