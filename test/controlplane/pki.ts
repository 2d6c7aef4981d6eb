import { execFile } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { promisify } from "node:util";

const run = promisify(execFile);

/** Paths of every key and certificate one control plane needs. */
export interface Pki {
  caCert: string;
  caKey: string;
  servingCert: string;
  servingKey: string;
  adminCert: string;
  adminKey: string;
  serviceAccountKey: string;
  serviceAccountPublicKey: string;
}

// The first address of the service range; the apiserver serves it as the `kubernetes`
// Service, so in-cluster clients (later: the operator under kwok) verify it by that IP.
// A /16, not a /24: every ProcessGroup has a Service, and the benchmark makes 1000 of them.
export const kubernetesServiceIp = "10.0.0.1";
export const serviceClusterIpRange = "10.0.0.0/16";

// node:crypto can create keys but cannot sign certificates, so the openssl CLI does the
// X.509 work. EC P-256 keys keep generation in the milliseconds; the service-account key
// stays RSA because that is what every Kubernetes version accepts for token signing.
async function openssl(args: readonly string[]): Promise<void> {
  try {
    await run("openssl", args);
  } catch (error) {
    if (error instanceof Error && "code" in error && error.code === "ENOENT") {
      throw new Error("the test control plane needs the openssl CLI to make certificates (apt-get install openssl)");
    }
    throw error;
  }
}

async function ecKey(path: string): Promise<void> {
  await openssl(["genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out", path]);
}

async function signedCert(
  dir: string,
  name: string,
  subject: string,
  extensions: string,
  ca: { cert: string; key: string },
): Promise<{ cert: string; key: string }> {
  const key = join(dir, `${name}.key`);
  const csr = join(dir, `${name}.csr`);
  const cert = join(dir, `${name}.crt`);
  const extFile = join(dir, `${name}.ext`);
  await ecKey(key);
  await openssl(["req", "-new", "-key", key, "-subj", subject, "-out", csr]);
  await writeFile(extFile, extensions);
  await openssl([
    "x509", "-req", "-in", csr, "-CA", ca.cert, "-CAkey", ca.key,
    // An explicit random serial: -CAcreateserial would race on ca.srl when certs are signed in parallel.
    "-set_serial", `0x${randomBytes(16).toString("hex")}`,
    "-days", "30", "-sha256", "-extfile", extFile, "-out", cert,
  ]);
  return { cert, key };
}

/** `servingIps`: addresses besides loopback the apiserver is reached at (a real node's IP). */
export async function generatePki(dir: string, servingIps: readonly string[] = []): Promise<Pki> {
  await mkdir(dir, { recursive: true });
  const ca = { cert: join(dir, "ca.crt"), key: join(dir, "ca.key") };
  await ecKey(ca.key);
  await openssl([
    "req", "-x509", "-new", "-key", ca.key, "-subj", "/CN=processgroup-test-ca", "-days", "30", "-sha256",
    "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign",
    "-out", ca.cert,
  ]);
  const serviceAccountKey = join(dir, "service-account.key");
  const serviceAccountPublicKey = join(dir, "service-account.pub");
  const [serving, admin] = await Promise.all([
    signedCert(
      dir,
      "apiserver",
      "/CN=kube-apiserver",
      [
        "basicConstraints=CA:FALSE",
        "keyUsage=critical,digitalSignature,keyEncipherment",
        "extendedKeyUsage=serverAuth",
        `subjectAltName=IP:127.0.0.1,IP:${kubernetesServiceIp},${servingIps.map((ip) => `IP:${ip},`).join("")}DNS:localhost,DNS:kubernetes,DNS:kubernetes.default,DNS:kubernetes.default.svc,DNS:kubernetes.default.svc.cluster.local`,
        "",
      ].join("\n"),
      ca,
    ),
    // O=system:masters puts the admin in the group RBAC's bootstrap policy makes
    // cluster-admin, which is what client-certificate admin auth means here.
    signedCert(
      dir,
      "admin",
      "/O=system:masters/CN=processgroup-admin",
      ["basicConstraints=CA:FALSE", "keyUsage=critical,digitalSignature", "extendedKeyUsage=clientAuth", ""].join("\n"),
      ca,
    ),
    (async () => {
      await openssl(["genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048", "-out", serviceAccountKey]);
      await openssl(["pkey", "-in", serviceAccountKey, "-pubout", "-out", serviceAccountPublicKey]);
    })(),
  ]);
  return {
    caCert: ca.cert,
    caKey: ca.key,
    servingCert: serving.cert,
    servingKey: serving.key,
    adminCert: admin.cert,
    adminKey: admin.key,
    serviceAccountKey,
    serviceAccountPublicKey,
  };
}
