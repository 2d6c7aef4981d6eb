import { z } from "zod";
import { Application, applicationGroupName, applicationGroupOf } from "./application.ts";
import { Condition } from "./conditions.ts";
import { Elastic } from "./elastic.ts";
import { integerAtLeast, nonEmptyString, quantity, dnsName, dnsLabel, seconds } from "./fields.ts";
import { DEFAULT_THREADS, flags } from "./flags.ts";
import { withRules, type Rule } from "./rules.ts";

export const API_GROUP = "processgroup.dev";
export const API_VERSION = "v1alpha1";
export const KIND = "ProcessGroup";
export const PLURAL = "processgroups";
export const SHORT_NAME = "pgrp";
export const GROUP_VERSION = `${API_GROUP}/${API_VERSION}`;

const ENV_NAME = /^[-._a-zA-Z][-._a-zA-Z0-9]*$/;
export const RESERVED_ENV_PREFIX = "PROCESSGROUP_";
/** mod_wsgi's meaning of threads=: a thread runs one request at a time. */
export const DEFAULT_CONCURRENCY = 1;

const EnvVar = withRules(
  z
    .strictObject({
      name: z
        .string({ error: "must be a string" })
        .min(1, { error: "must not be empty" })
        .max(256, { error: "must be at most 256 characters" })
        .regex(ENV_NAME, { error: "must be an environment variable name (letters, digits, '_', '-', '.', not starting with a digit)" })
        .meta({ description: "Name of the environment variable." }),
      value: z.string({ error: "must be a string" }).max(65536).default("").meta({ description: "Value of the environment variable." }),
    })
    .meta({ description: "An environment variable for the applications." }),
  [
    {
      cel: `!self.name.startsWith('${RESERVED_ENV_PREFIX}')`,
      message: `names starting with ${RESERVED_ENV_PREFIX} are reserved for the operator-runtime contract`,
      fieldPath: ".name",
      violations: (e) => (e.name.startsWith(RESERVED_ENV_PREFIX) ? [["name"]] : []),
    },
  ],
);

const ResourceList = z.record(z.string(), quantity("A quantity.")).meta({ description: "Resource name (cpu, memory, ...) to quantity." });

const Resources = z
  .strictObject({
    requests: ResourceList.optional().meta({ description: "Minimum resources each process (pod) is scheduled with, e.g. {cpu: 500m, memory: 256Mi}." }),
    limits: ResourceList.optional().meta({ description: "Maximum resources of each process (pod). Give at least one CPU per few threads of CPU-bound work." }),
  })
  .meta({ description: "Compute resources of each runtime process (the container of each pod)." });

const Preload = z
  .strictObject({
    module: nonEmptyString("Module to import, relative to the application root."),
    applicationGroup: applicationGroupName
      .optional()
      .meta({ description: "Application group to import it in (default: every application group of the process)." }),
  })
  .meta({ description: "A module imported before the process reports ready, like WSGIImportScript." });

export const SOURCE_TYPES = ["Image", "ConfigMap"] as const;
export const DEFAULT_APP_ROOT = "/app";

const Source = withRules(
  z
    .strictObject({
      type: z
        .enum(SOURCE_TYPES, { error: "must be Image or ConfigMap" })
        .default("Image")
        .meta({ description: "Where the application code comes from: Image (the code is in the image, under root) or ConfigMap (small apps: each key of the ConfigMap is a file mounted under root; changing its content rolls the processes, like touching a .wsgi file)." }),
      configMap: z
        .strictObject({ name: dnsName("Name of the ConfigMap in the group's namespace.") })
        .optional()
        .meta({ description: "The ConfigMap holding the code, when type is ConfigMap." }),
      root: z
        .string({ error: "must be a string" })
        .max(1024)
        .regex(/^\//, { error: "must be an absolute path" })
        .default(DEFAULT_APP_ROOT)
        .meta({ description: "Folder application entries and preload modules are resolved against, inside the container." }),
    })
    .meta({ description: "Where the application code comes from." }),
  [
    {
      cel: "self.type == 'ConfigMap' ? has(self.configMap) : !has(self.configMap)",
      message: "configMap must be set exactly when type is ConfigMap",
      fieldPath: ".configMap",
      violations: (s) => ((s.type === "ConfigMap") !== (s.configMap !== undefined) ? [["configMap"]] : []),
    },
  ],
);

const Route = z
  .strictObject({
    host: dnsName("Host name under which each application's mount is served. Several ProcessGroups may share a host with different mounts, the way WSGIProcessGroup inside <Location> sends each path to its own daemon group."),
    ingressClassName: dnsLabel("IngressClass that serves the route (default: the cluster's default class).").optional(),
    tlsSecretName: dnsName("Secret with the TLS certificate for the host; absent means plain HTTP.").optional(),
  })
  .meta({ description: "Expose the applications on a host through an Ingress: one rule per application mount, to this group's Service." });

const MAX_APPLICATIONS = 64;
const MAX_ENV = 128;

function duplicatesOf<T>(items: readonly T[], key: (item: T) => string, field: string): (string | number)[][] {
  const seen = new Set<string>();
  const paths: (string | number)[][] = [];
  items.forEach((item, i) => {
    const k = key(item);
    if (seen.has(k)) paths.push(["applications", i, field]);
    seen.add(k);
  });
  return paths;
}

// Rules across fields. The CEL and the TypeScript say the same thing; the CRD tests check
// both against the same specs.
type SpecShape = {
  processes?: number | undefined;
  elastic?: { maxProcesses: number } | undefined;
  threads: number;
  applications: Application[];
  env: { name: string }[];
};
const specRules: Rule<SpecShape>[] = [
  {
    cel: "self.applications.all(a, self.applications.exists_one(b, b.mount == a.mount))",
    message: "mounts must be unique in the group: two applications have the same mount",
    fieldPath: ".applications",
    violations: (s) => duplicatesOf(s.applications, (a) => a.mount, "mount"),
  },
  {
    cel: "self.applications.all(a, self.applications.exists_one(b, b.name == a.name))",
    message: "application names must be unique in the group",
    fieldPath: ".applications",
    violations: (s) => duplicatesOf(s.applications, (a) => a.name, "name"),
  },
  {
    cel: "!has(self.env) || self.env.all(e, self.env.exists_one(f, f.name == e.name))",
    message: "environment variable names must be unique",
    fieldPath: ".env",
    violations: (s) => {
      const seen = new Set<string>();
      return s.env.flatMap((e, i) => (seen.has(e.name) ? [["env", i, "name"]] : (seen.add(e.name), [])));
    },
  },
  {
    cel: "self.applications.all(a, !has(a.requires) || !has(a.requires.multiprocess) || a.requires.multiprocess == (has(self.processes) || has(self.elastic)))",
    message: "an application's requires.multiprocess contradicts the group: multiprocess is true exactly when processes is set (even to 1) or elastic is, so requires.multiprocess=false needs both omitted",
    fieldPath: ".applications",
    violations: (s) =>
      s.applications.flatMap((a, i) =>
        a.requires?.multiprocess !== undefined && a.requires.multiprocess !== flags(s).multiprocess ? [["applications", i, "requires", "multiprocess"]] : [],
      ),
  },
  {
    cel: `self.applications.all(a, !has(a.requires) || !has(a.requires.multithread) || a.requires.multithread == ((has(self.threads) ? self.threads : ${DEFAULT_THREADS}) > 1))`,
    message: `an application's requires.multithread contradicts the group: multithread is true exactly when threads > 1 (default ${DEFAULT_THREADS}), so requires.multithread=false needs threads: 1`,
    fieldPath: ".applications",
    violations: (s) =>
      s.applications.flatMap((a, i) =>
        a.requires?.multithread !== undefined && a.requires.multithread !== flags(s).multithread ? [["applications", i, "requires", "multithread"]] : [],
      ),
  },
  {
    cel: "!has(self.elastic) || !has(self.processes) || self.processes <= self.elastic.maxProcesses",
    message: "processes is an elastic group's minimum (kubectl scale sets it) and must not exceed elastic.maxProcesses",
    fieldPath: ".processes",
    violations: (s) => (s.elastic !== undefined && s.processes !== undefined && s.processes > s.elastic.maxProcesses ? [["processes"]] : []),
  },
];

export const ProcessGroupSpecFields = z
    .strictObject({
      processes: integerAtLeast(1, "Number of runtime processes (pods: the Deployment's replicas), like processes= of WSGIDaemonProcess. Setting it, even to 1, makes multiprocess true (mod_wsgi's rule: the group may be one of several serving the app); omit it for one process with multiprocess false. kubectl scale sets it. With elastic, it is the minimum the operator scales down to.").optional(),
      elastic: Elastic.optional(),
      threads: integerAtLeast(1, `Worker threads per application group in each process, like threads= (default ${DEFAULT_THREADS}). More than 1 makes multithread true.`).default(DEFAULT_THREADS),
      concurrency: integerAtLeast(
        1,
        `Requests one worker thread may run at once (default ${DEFAULT_CONCURRENCY}: mod_wsgi's meaning of threads=, one request per thread). An async app that awaits I/O sets it higher; the group then admits processes x threads x concurrency requests at once. Apps see it as env.concurrency and PROCESSGROUP_CONCURRENCY.`,
      ).default(DEFAULT_CONCURRENCY),
      applications: z
        .array(Application, { error: "must be a list of applications" })
        .min(1, { error: "must list at least one application" })
        .max(MAX_APPLICATIONS, { error: `must list at most ${MAX_APPLICATIONS} applications` })
        .meta({ description: "The applications the group serves, each under its own mount (WSGIScriptAlias) and in an application group (WSGIApplicationGroup)." }),
      displayName: z
        .string({ error: "must be a string" })
        .max(63, { error: "must be at most 63 characters" })
        .default("%{GROUP}")
        .meta({ description: "Process title of each runtime process, like display-name=. %{GROUP} stands for the group's name." }),
      image: nonEmptyString("Container image of the runtime with the applications in it (built FROM the runtime image). An Image source needs it (without it the operator reports Degraded, reason ImageMissing); a ConfigMap source defaults to the operator's runtime image.", 512).optional(),
      // The names' uniqueness rule compares every pair; at 256 names of 256 characters its CEL
      // exceeds the API server's per-rule cost limit, and a spec zod accepts would be refused.
      env: z.array(EnvVar).max(MAX_ENV, { error: `must list at most ${MAX_ENV} variables` }).default([]).meta({ description: "Environment variables for the applications." }),
      resources: Resources.optional(),
      source: Source.default({ type: "Image", root: DEFAULT_APP_ROOT }),
      preload: z.array(Preload).max(64).default([]).meta({ description: "Modules imported in each application group before the process reports ready (WSGIImportScript)." }),
      maximumRequests: integerAtLeast(0, "Requests a worker thread serves before it is replaced by a fresh one (maximum-requests); 0 or absent: never. The new thread starts before the old one leaves.").optional(),
      requestTimeoutSeconds: seconds("A request running longer is answered 504 and its thread is replaced (request-timeout). Absent: no limit.").optional(),
      queueTimeoutSeconds: seconds("A request that waited longer than this for a free thread is answered 503 with Retry-After (queue-timeout). Absent: no limit.").optional(),
      gracefulTimeoutSeconds: seconds("Time in-flight requests get to finish when a process or thread is replaced or stopped (graceful-timeout).").default(15),
      shutdownTimeoutSeconds: seconds("Time after the graceful timeout before the process is stopped hard (shutdown-timeout).").default(5),
      restartIntervalSeconds: seconds("Replace every thread gracefully after this long (restart-interval). Absent: never.").optional(),
      listenBacklog: integerAtLeast(1, "Connections the kernel queues before the process accepts them, and requests each application group keeps waiting for a thread; one more gets 503 at once (listen-backlog).").default(100),
      threadMemoryLimitMegabytes: integerAtLeast(1, "Heap limit of each worker thread; a thread that exceeds it is replaced and only its request fails (memory-limit, per thread). Absent: Node's default.").optional(),
      route: Route.optional(),
    })
    .meta({ description: "A daemon process group, like Apache mod_wsgi's WSGIDaemonProcess: how many processes and threads serve which applications." });

export const ProcessGroupSpec = withRules(ProcessGroupSpecFields, specRules);

export const ProcessGroupStatus = z
  .object({
    observedGeneration: z.int().min(0).optional().meta({ description: "The .metadata.generation this status describes." }),
    processes: z.int().min(0).optional().meta({ description: "Desired processes (the Deployment's replicas)." }),
    desiredProcesses: z.int().min(0).optional().meta({ description: "An elastic group's processes as the operator's last scaling decision wants them (see the ScalingActive condition for why)." }),
    lastScaleTime: z.string().optional().meta({ description: "When the operator last changed an elastic group's processes (RFC 3339).", format: "date-time" }),
    readyProcesses: z.int().min(0).optional().meta({ description: "Processes that are ready to serve." }),
    threads: z.int().min(0).optional().meta({ description: "Worker threads per application group in each process." }),
    multiprocess: z.boolean().optional().meta({ description: "The multiprocess flag the applications see." }),
    multithread: z.boolean().optional().meta({ description: "The multithread flag the applications see." }),
    selector: z.string().optional().meta({ description: "Label selector of the group's pods, for the scale subresource (HPA)." }),
    conditions: z.array(Condition).optional().meta({ description: "Ready, Progressing and Degraded; ScalingActive on an elastic group (reason: why the operator chose its processes)." }),
  })
  .meta({ description: "What the operator observed." });

const GROUP_NAME = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;
export const ProcessGroupName = z
  .string({ error: "must be a string" })
  .max(63, { error: "must be at most 63 characters" })
  .regex(GROUP_NAME, { error: "must be a DNS-1035 label (lowercase letters, digits and '-', starting with a letter), because it names the group's Service" });

export const ProcessGroup = z.object({
  apiVersion: z.literal(GROUP_VERSION, { error: `must be ${GROUP_VERSION}` }),
  kind: z.literal(KIND, { error: `must be ${KIND}` }),
  metadata: z.looseObject({
    name: ProcessGroupName,
    namespace: z.string().optional(),
    uid: z.string().optional(),
    generation: z.int().optional(),
    resourceVersion: z.string().optional(),
    creationTimestamp: z.string().optional(),
    labels: z.record(z.string(), z.string()).optional(),
    annotations: z.record(z.string(), z.string()).optional(),
  }),
  spec: ProcessGroupSpec,
  status: ProcessGroupStatus.optional(),
});

export type ProcessGroup = z.output<typeof ProcessGroup>;
export type ProcessGroupInput = z.input<typeof ProcessGroup>;
export type ProcessGroupSpec = z.output<typeof ProcessGroupSpec>;
export type ProcessGroupSpecInput = z.input<typeof ProcessGroupSpec>;
export type ProcessGroupStatus = z.output<typeof ProcessGroupStatus>;

/** The application groups of a spec, each with its applications, in first-seen order. */
export function applicationGroupsOf(spec: Pick<ProcessGroupSpec, "applications">): Map<string, Application[]> {
  const groups = new Map<string, Application[]>();
  for (const app of spec.applications) {
    const group = applicationGroupOf(app);
    groups.set(group, [...(groups.get(group) ?? []), app]);
  }
  return groups;
}
