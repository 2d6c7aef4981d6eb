import fc from "fast-check";

// Generators of ProcessGroup specs that the schema accepts, edge cases included: the longest
// names and values it allows (counted in code points, as both zod and the API server count),
// the largest integers, astral characters, and nulls where a file may leave a key empty.
// specs-mutations.ts breaks them one rule at a time.

/** A spec as JSON: what a file or a request body says, before any defaulting. */
export type Spec = Record<string, unknown>;
export interface SpecDocument {
  readonly name: string;
  readonly spec: Spec;
}

export const MAX_INT32 = 2_147_483_647;
export const DEFAULT_THREADS = 15;

/** Usually `common`, sometimes the edge. */
const edgy = <T>(common: fc.Arbitrary<T>, edge: fc.Arbitrary<T>) => fc.oneof({ weight: 8, arbitrary: common }, { weight: 1, arbitrary: edge });
const astral = fc.constantFrom("😀", "𝔸", "𠜎");
/** Text of `min`..`max` code points, sometimes exactly `max` astral ones (two UTF-16 units each). */
const text = (min: number, max: number) =>
  edgy(fc.string({ unit: "grapheme", minLength: min, maxLength: Math.min(max, 24) }), fc.string({ unit: astral, minLength: max, maxLength: max }))
    // A grapheme may hold several code points; the schema counts code points.
    .filter((s) => [...s].length >= min && [...s].length <= max);

const label = (max: number) => edgy(fc.stringMatching(/^[a-z0-9]([-a-z0-9]{0,8}[a-z0-9])?$/), fc.constant("x".repeat(max)));
export const dnsLabel = label(63);
const dnsName = edgy(
  fc.array(fc.stringMatching(/^[a-z0-9]([-a-z0-9]{0,6}[a-z0-9])?$/), { minLength: 1, maxLength: 3 }).map((parts) => parts.join(".")),
  fc.constant(`${"a".repeat(61)}.${"b".repeat(61)}.${"c".repeat(61)}.${"d".repeat(61)}`),
);
const segment = fc.stringMatching(/^[A-Za-z0-9._~!$&'()*+,;=:@%-]{1,8}$/);
const mount = fc.oneof(fc.constant("/"), fc.array(segment, { minLength: 1, maxLength: 3 }).map((parts) => `/${parts.join("/")}`));
const applicationGroup = fc.oneof(fc.constant("%{GLOBAL}"), dnsLabel);
const int = (min: number) => edgy(fc.integer({ min, max: 100 }), fc.constantFrom(min, MAX_INT32));
const quantity = fc.oneof(
  fc.integer({ min: -1_000, max: 1_000_000 }),
  fc.stringMatching(/^[+-]?(\d{1,4}(\.\d{0,3})?|\.\d{1,3})([eE][+-]?\d{1,2}|[KMGTPE]i?|[munkMGTPE])?$/),
);
const resourceList = fc.dictionary(fc.constantFrom("cpu", "memory", "ephemeral-storage", "example.com/gpu"), quantity, { maxKeys: 3 });
export const envName = fc.stringMatching(/^[-._a-zA-Z][-._a-zA-Z0-9]{0,12}$/).filter((n) => !n.startsWith("PROCESSGROUP_"));

const application = fc.record(
  { name: dnsLabel, mount, entry: text(1, 1024), applicationGroup, declares: fc.record({ multiprocess: fc.boolean(), multithread: fc.boolean() }) },
  { requiredKeys: ["name", "mount", "entry", "declares"] },
);
const applications = fc.uniqueArray(application, { minLength: 1, maxLength: 4, comparator: (a, b) => a.name === b.name || a.mount === b.mount });

const source = fc.oneof(
  fc.record({ type: fc.constant("Image"), root: fc.string({ maxLength: 12 }).map((r) => `/${r}`) }, { requiredKeys: [] }),
  fc.record({ type: fc.constant("ConfigMap"), configMap: fc.record({ name: dnsName }), root: fc.constantFrom("/", "/app", "/srv/code") }, { requiredKeys: ["type", "configMap"] }),
);

const optionalFields = {
  processes: int(1),
  threads: int(1),
  displayName: text(0, 63),
  image: text(1, 512),
  env: fc.uniqueArray(fc.record({ name: envName, value: text(0, 40) }, { requiredKeys: ["name"] }), { maxLength: 4, selector: (e) => e.name }),
  resources: fc.record({ requests: resourceList, limits: resourceList }, { requiredKeys: [] }),
  source,
  preload: fc.array(fc.record({ module: text(1, 1024), applicationGroup }, { requiredKeys: ["module"] }), { maxLength: 2 }),
  maximumRequests: int(0),
  requestTimeoutSeconds: int(1),
  queueTimeoutSeconds: int(1),
  gracefulTimeoutSeconds: int(1),
  shutdownTimeoutSeconds: int(1),
  restartIntervalSeconds: int(1),
  listenBacklog: int(1),
  threadMemoryLimitMegabytes: int(1),
  route: fc.record({ host: dnsName, ingressClassName: dnsLabel, tlsSecretName: dnsName }, { requiredKeys: ["host"] }),
};
export const OPTIONAL_FIELDS = Object.keys(optionalFields);

/** mod_wsgi's flags, as the spec (before defaulting) implies them. */
export function flagsOf(spec: Spec): { multiprocess: boolean; multithread: boolean } {
  const threads = typeof spec["threads"] === "number" ? spec["threads"] : DEFAULT_THREADS;
  return { multiprocess: spec["processes"] !== undefined && spec["processes"] !== null, multithread: threads > 1 };
}

/** Valid specs: every application's `requires` agrees with the flags; some absent keys are null. */
export const validSpec: fc.Arbitrary<Spec> = fc
  .tuple(fc.record({ applications, ...optionalFields }, { requiredKeys: ["applications"] }), fc.subarray(OPTIONAL_FIELDS, { maxLength: 3 }))
  .map(([generated, nullKeys]) => {
    const spec: Spec = { ...generated };
    const flags = flagsOf(spec);
    spec["applications"] = generated.applications.map(({ declares, ...app }) => {
      const requires = { ...(declares.multiprocess ? { multiprocess: flags.multiprocess } : {}), ...(declares.multithread ? { multithread: flags.multithread } : {}) };
      return Object.keys(requires).length > 0 ? { ...app, requires } : app;
    });
    // A file may leave a key empty (`processes:`): the API server reads that as absent.
    for (const key of nullKeys) if (spec[key] === undefined) spec[key] = null;
    return spec;
  });

export const validDocument: fc.Arbitrary<SpecDocument> = fc.record({ name: fc.constant("site1"), spec: validSpec });

/** The request body (or file document) of a ProcessGroup. */
export function bodyOf(document: SpecDocument, namespace?: string): Record<string, unknown> {
  // What JSON can say: keys with undefined values do not exist.
  const metadata = { name: document.name, ...(namespace ? { namespace } : {}) };
  return JSON.parse(JSON.stringify({ apiVersion: "processgroup.dev/v1alpha1", kind: "ProcessGroup", metadata, spec: document.spec })) as Record<string, unknown>;
}
