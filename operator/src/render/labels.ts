export const NAME_LABEL = "processgroup.dev/name";
export const SOURCE_CHECKSUM_ANNOTATION = "processgroup.dev/source-checksum";
export const FIELD_MANAGER = "processgroup-operator";

/** The recommended app.kubernetes.io labels plus ours, on every object and pod of a group. */
export function labelsOf(group: string): Record<string, string> {
  return {
    "app.kubernetes.io/name": "processgroup",
    "app.kubernetes.io/instance": group,
    "app.kubernetes.io/component": "process-group",
    "app.kubernetes.io/managed-by": FIELD_MANAGER,
    [NAME_LABEL]: group,
  };
}

/** What selects a group's pods; it never changes for a group (Deployment selectors are immutable). */
export function selectorOf(group: string): Record<string, string> {
  return { [NAME_LABEL]: group };
}

export function selectorString(group: string): string {
  return Object.entries(selectorOf(group))
    .map(([k, v]) => `${k}=${v}`)
    .join(",");
}
