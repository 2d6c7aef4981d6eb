// ProcessGroup YAML documents for tests that read files, as a user would write them.

/** One ProcessGroup document; `spec` is the indented body of `spec:`. */
export const processGroupYaml = (name: string, spec: string): string => `apiVersion: processgroup.dev/v1alpha1
kind: ProcessGroup
metadata:
  name: ${name}
spec:
${spec}`;

/** The `applications:` block of a group serving examples/apps/hello.mjs at /. */
export const helloApplications = `  applications:
    - name: hello
      mount: /
      entry: apps/hello.mjs
`;
