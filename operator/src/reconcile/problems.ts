import type { FieldProblem, ProcessGroup } from "../../../crds/index.ts";

/** Something wrong with a group that its owner must fix; it is reported as Degraded. */
export interface Problem {
  /** The Degraded condition's reason, a CamelCase word. */
  readonly reason: string;
  readonly message: string;
  /** While it stands, the group's objects are left as they are (the last good version keeps running). */
  readonly blocking: boolean;
}

export const REASON = {
  invalidSpec: "InvalidSpec",
  requirementsContradicted: "RequirementsContradicted",
  imageMissing: "ImageMissing",
  imagePullFailed: "ImagePullFailed",
  configMapMissing: "ConfigMapMissing",
  mountConflict: "MountConflict",
  applyRejected: "ApplyRejected",
} as const;

/** A spec the schema refuses (possible after a scale, or when the CRD was installed without validation). */
export function invalidSpecProblem(problems: readonly FieldProblem[]): Problem {
  const requires = problems.filter((p) => p.path.includes(".requires"));
  const shown = requires.length > 0 ? requires : problems;
  return {
    reason: requires.length > 0 ? REASON.requirementsContradicted : REASON.invalidSpec,
    message: shown.map((p) => `${p.path}: ${p.message}`).join("; "),
    blocking: true,
  };
}

export interface SourceLookup {
  configMapExists(namespace: string, name: string): boolean;
}

/** What the schema allows but cannot run. */
export function specProblems(pg: ProcessGroup, lookup: SourceLookup): Problem[] {
  const { source, image } = pg.spec;
  const problems: Problem[] = [];
  if (source.type === "Image" && image === undefined) {
    problems.push({
      reason: REASON.imageMissing,
      message: `spec.image is not set but spec.source.type is Image: the runtime image has no application code under ${source.root}. Set spec.image to an image built FROM the runtime image with the applications in it, or use a ConfigMap source`,
      blocking: true,
    });
  }
  const namespace = pg.metadata.namespace ?? "";
  if (source.type === "ConfigMap" && source.configMap && !lookup.configMapExists(namespace, source.configMap.name)) {
    problems.push({
      reason: REASON.configMapMissing,
      message: `ConfigMap ${namespace}/${source.configMap.name} named in spec.source.configMap does not exist; create it or fix the name`,
      blocking: true,
    });
  }
  return problems;
}
