import fc from "fast-check";
import { flagsOf, MAX_INT32, validDocument, type Spec, type SpecDocument } from "./specs-arbitraries.ts";

// Mutations of valid specs that each break exactly one rule of the schema: a type, a range, a
// pattern, a uniqueness rule, a CEL rule across fields, the reserved env prefix, an unknown
// field. Each says which field is wrong: `path` as render names it, `serverPath` as the API
// server names it (the same, except for rules the CRD checks on a whole list, where the API
// server can only name the list and render names the item).

export interface InvalidDocument extends SpecDocument {
  readonly rule: string;
  readonly path: string;
  readonly serverPath: string;
}

type Json = Record<string, unknown>;
interface Broken {
  readonly spec: Spec;
  readonly path: string;
  readonly serverPath?: string;
  readonly name?: string;
}
interface Mutation {
  readonly rule: string;
  readonly apply: (spec: Spec) => Broken;
}

// A twice-broken document may hold anything where an object belongs.
const isJson = (value: unknown): value is Json => typeof value === "object" && value !== null && !Array.isArray(value);
const list = (spec: Spec, key: string): unknown[] => (Array.isArray(spec[key]) ? (spec[key] as unknown[]) : []);
const fieldsOf = (item: unknown): Json => (isJson(item) ? item : {});
const withoutRequires = (spec: Spec): Spec => ({
  ...spec,
  applications: list(spec, "applications").map((app) => {
    if (!isJson(app)) return app;
    const { requires: _dropped, ...rest } = app;
    return rest;
  }),
});

const INT_FIELDS = ["maximumRequests", "requestTimeoutSeconds", "queueTimeoutSeconds", "gracefulTimeoutSeconds", "shutdownTimeoutSeconds", "restartIntervalSeconds", "listenBacklog", "threadMemoryLimitMegabytes"] as const;
const notAnInteger = fc.constantFrom<unknown>("2", 1.5, true, MAX_INT32 + 1);

/** A mutation that sets one field of the spec to a wrong value. */
const setField = (rule: string, field: string, values: fc.Arbitrary<unknown>, strip = false) =>
  values.map((value): Mutation => ({ rule, apply: (spec) => ({ spec: { ...(strip ? withoutRequires(spec) : spec), [field]: value }, path: `spec.${field}` }) }));

/** A mutation of the application at a generated index (modulo the list's length). */
const atApplication = (rule: string, field: string, values: fc.Arbitrary<unknown>) =>
  fc.tuple(fc.nat(), values).map(([at, value]): Mutation => ({
    rule,
    apply: (spec) => {
      const apps = list(spec, "applications");
      const i = at % apps.length;
      return { spec: { ...spec, applications: apps.map((app, j) => (j === i ? { ...fieldsOf(app), [field]: value } : app)) }, path: `spec.applications[${i}].${field}` };
    },
  }));

/** A mutation that appends an env var. */
const addEnv = (rule: string, variable: fc.Arbitrary<Json>, name = true) =>
  variable.map((added): Mutation => ({
    rule,
    apply: (spec) => {
      const env = list(spec, "env");
      return { spec: { ...spec, env: [...env, added] }, path: `spec.env[${env.length}].${name ? "name" : "value"}` };
    },
  }));

/** Makes two applications share a name or a mount (adds one when there is only one). */
const duplicateApplication = (field: "name" | "mount") =>
  fc.constant<Mutation>({
    rule: `unique: application ${field}s`,
    apply: (spec) => {
      const apps = list(spec, "applications");
      const first = fieldsOf(apps[0]);
      const copy = apps.length > 1 ? { ...fieldsOf(apps[1]), [field]: first[field] } : { name: "duplicate-app", mount: "/duplicate-app", entry: "a.mjs", [field]: first[field] };
      const i = apps.length > 1 ? 1 : apps.length;
      const next = apps.length > 1 ? apps.map((app, j) => (j === 1 ? copy : app)) : [...apps, copy];
      return { spec: { ...spec, applications: next }, path: `spec.applications[${i}].${field}`, serverPath: "spec.applications" };
    },
  });

/** An application's requires says the opposite of the flag the spec implies. */
const contradictFlag = (flag: "multiprocess" | "multithread") =>
  fc.nat().map((at): Mutation => ({
    rule: `CEL: requires.${flag} against the flags`,
    apply: (spec) => {
      const apps = list(spec, "applications");
      const i = at % apps.length;
      const requires = { ...fieldsOf(fieldsOf(apps[i])["requires"]), [flag]: !flagsOf(spec)[flag] };
      return { spec: { ...spec, applications: apps.map((app, j) => (j === i ? { ...fieldsOf(app), requires } : app)) }, path: `spec.applications[${i}].requires.${flag}`, serverPath: "spec.applications" };
    },
  }));

const wrongSource = fc.constantFrom<[Json, string]>(
  [{ type: "ConfigMap" }, "configMap"],
  [{ type: "Image", configMap: { name: "code" } }, "configMap"],
  [{ configMap: { name: "code" } }, "configMap"],
  [{ type: "Git" }, "type"],
  [{ root: "app" }, "root"],
  [{ type: "ConfigMap", configMap: { name: "Bad_Name" } }, "configMap.name"],
);

const mutations: fc.Arbitrary<Mutation> = fc.oneof(
  setField("type or range: threads", "threads", fc.oneof(notAnInteger, fc.constantFrom(0, -1)), true),
  setField("type or range: processes", "processes", fc.oneof(notAnInteger, fc.constantFrom(0, -3)), true),
  fc.constantFrom(...INT_FIELDS).chain((field) => setField(`type or range: ${field}`, field, fc.oneof(notAnInteger, fc.constant(field === "maximumRequests" ? -1 : 0)))),
  setField("required: applications", "applications", fc.constant(undefined)),
  setField("range: at least one application", "applications", fc.constant([])),
  setField("range: at most 64 applications", "applications", fc.constant(Array.from({ length: 65 }, (_, i) => ({ name: `app${i}`, mount: `/app${i}`, entry: "a.mjs" })))),
  atApplication("pattern: application name", "name", fc.constantFrom("A", "a-", "-a", "a_b", "", "a".repeat(64), 5)),
  atApplication("pattern: mount", "mount", fc.constantFrom("a", "/a/", "//", "/a b", "", `/${"a".repeat(256)}`)),
  atApplication("required: entry", "entry", fc.constantFrom(undefined, "")),
  atApplication("pattern: applicationGroup", "applicationGroup", fc.constantFrom("G", "%{RESOURCE}", "a_b")),
  atApplication("unknown field in an application", "colour", fc.constant("blue")),
  duplicateApplication("name"),
  duplicateApplication("mount"),
  contradictFlag("multiprocess"),
  contradictFlag("multithread"),
  addEnv("CEL: reserved env prefix", fc.constantFrom("PROCESSGROUP_X", "PROCESSGROUP_THREADS").map((name) => ({ name, value: "x" }))),
  addEnv("pattern: env name", fc.constantFrom("1A", "A B", "A=B", "").map((name) => ({ name, value: "x" }))),
  addEnv("type: env value", fc.constant({ name: "CHAOS_NOT_A_STRING", value: 5 }), false),
  fc.constant<Mutation>({
    rule: "unique: env names",
    apply: (spec) => {
      const env = list(spec, "env");
      const twice = env[0] ? [...env, env[0]] : [{ name: "TWICE" }, { name: "TWICE" }];
      return { spec: { ...spec, env: twice }, path: `spec.env[${twice.length - 1}].name`, serverPath: "spec.env" };
    },
  }),
  wrongSource.map(([source, field]): Mutation => ({ rule: `source: ${field}`, apply: (spec) => ({ spec: { ...spec, source }, path: `spec.source.${field}` }) })),
  fc
    .tuple(fc.constantFrom("requests", "limits"), fc.constantFrom("cpu", "memory"), fc.constantFrom<unknown>("lots", "1.5.5", "", true, 1.5))
    .map(([kind, resource, value]): Mutation => ({ rule: "pattern: quantity", apply: (spec) => ({ spec: { ...spec, resources: { [kind]: { [resource]: value } } }, path: `spec.resources.${kind}.${resource}` }) })),
  fc
    .constantFrom<[Json, string]>([{ host: "Bad_Host" }, "host"], [{ host: "" }, "host"], [{ host: "a..b" }, "host"], [{}, "host"], [{ host: "a.b", ingressClassName: "Bad" }, "ingressClassName"], [{ host: "a.b", tlsSecretName: "x_y" }, "tlsSecretName"])
    .map(([route, field]): Mutation => ({ rule: `route: ${field}`, apply: (spec) => ({ spec: { ...spec, route }, path: `spec.route.${field}` }) })),
  setField("range: displayName", "displayName", fc.constantFrom("d".repeat(64), "😀".repeat(64))),
  setField("range: image", "image", fc.constantFrom("", "i".repeat(513))),
  setField("unknown field in the spec", "colour", fc.constant("blue")),
  fc.constantFrom<Json>({ module: "" }, { applicationGroup: "g" }).map((item): Mutation => ({
    rule: "required: preload module",
    apply: (spec) => {
      const preload = list(spec, "preload");
      return { spec: { ...spec, preload: [...preload, item] }, path: `spec.preload[${preload.length}].module` };
    },
  })),
  fc.constant<Mutation>({
    rule: "type: a null application",
    apply: (spec) => {
      const apps = list(spec, "applications");
      return { spec: { ...spec, applications: [...apps, null] }, path: `spec.applications[${apps.length}]` };
    },
  }),
  fc.constantFrom("1site", "Site", "site_1", "s".repeat(64)).map((name): Mutation => ({ rule: "pattern: group name", apply: (spec) => ({ spec, name, path: "metadata.name" }) })),
);

function broken(document: SpecDocument, mutation: Mutation): InvalidDocument {
  const { spec, path, serverPath, name } = mutation.apply(document.spec);
  return { rule: mutation.rule, name: name ?? document.name, spec, path, serverPath: serverPath ?? path };
}

/** A valid document with exactly one rule broken. */
export const invalidDocument: fc.Arbitrary<InvalidDocument> = fc.tuple(validDocument, mutations).map(([document, mutation]) => broken(document, mutation));

/** Valid, once broken, or twice broken: for the property that zod and the API server give every document the same verdict. */
export const mixedDocument: fc.Arbitrary<SpecDocument> = fc.oneof(
  validDocument,
  invalidDocument,
  fc.tuple(invalidDocument, mutations).map(([document, mutation]) => broken(document, mutation)),
);
