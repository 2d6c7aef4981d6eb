import { readFile, writeFile } from "node:fs/promises";
import { stringify } from "yaml";
import type { Pki } from "./pki.ts";

const base64 = async (path: string): Promise<string> => (await readFile(path)).toString("base64");

/**
 * Writes an admin kubeconfig with the certificates embedded, so the file alone is enough
 * (it can be copied, and kubectl, kwok and the client library read it the same way).
 */
export async function writeAdminKubeconfig(path: string, server: string, pki: Pki): Promise<void> {
  const name = "processgroup-test";
  const config = {
    apiVersion: "v1",
    kind: "Config",
    clusters: [{ name, cluster: { server, "certificate-authority-data": await base64(pki.caCert) } }],
    users: [
      {
        name: "admin",
        user: {
          "client-certificate-data": await base64(pki.adminCert),
          "client-key-data": await base64(pki.adminKey),
        },
      },
    ],
    contexts: [{ name, context: { cluster: name, user: "admin", namespace: "default" } }],
    "current-context": name,
  };
  await writeFile(path, stringify(config), { mode: 0o600 });
}
