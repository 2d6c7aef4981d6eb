import { serviceClusterIpRange } from "../pki.ts";
import { attempt, run } from "./commands.ts";

// A private range only this harness uses (kwok's pod range is 10.1.0.0/16, Services are
// 10.0.0.0/16). Fixed names and addresses: one real-node cluster per machine at a time.
export const nodeNetwork = {
  /**
   * A veth pair that holds the node's address (the kubelet refuses loopback). A veth and not
   * a dummy device: this kernel has no dummy driver. Both ends stay in this namespace.
   */
  nodeInterface: "pg-node0",
  nodeInterfacePeer: "pg-node1",
  nodeIp: "10.213.255.1",
  /** The CNI bridge; the bridge plugin creates it with the gateway address. */
  bridge: "pg-cni0",
  podSubnet: "10.213.0.0/24",
} as const;

async function interfaceExists(name: string): Promise<boolean> {
  const out = await run("ip", ["-o", "link", "show"]);
  return out.split("\n").some((line) => line.split(":")[1]?.trim().split("@")[0] === name);
}

/**
 * Creates the node's address. Service ClusterIPs are routed into the same veth, whose peer
 * answers nothing: whatever kube-proxy has not rewritten is dropped on this machine.
 */
export async function createNodeNetwork(): Promise<void> {
  for (const name of [nodeNetwork.nodeInterface, nodeNetwork.bridge]) {
    if (await interfaceExists(name)) {
      throw new Error(
        `interface ${name} exists: another real-node cluster runs on this machine (or one was not stopped; \`npm run cluster:down\`)`,
      );
    }
  }
  await run("ip", ["link", "add", nodeNetwork.nodeInterface, "type", "veth", "peer", "name", nodeNetwork.nodeInterfacePeer]);
  await run("ip", ["addr", "add", `${nodeNetwork.nodeIp}/32`, "dev", nodeNetwork.nodeInterface]);
  await run("ip", ["link", "set", nodeNetwork.nodeInterfacePeer, "up"]);
  await run("ip", ["link", "set", nodeNetwork.nodeInterface, "up"]);
  await run("ip", ["route", "add", serviceClusterIpRange, "dev", nodeNetwork.nodeInterface]);
}

/** Removes the interfaces (their addresses and routes go with them; a veth takes its peer). */
export async function removeNodeNetwork(): Promise<string[]> {
  const failures: (string | undefined)[] = [];
  for (const name of [nodeNetwork.bridge, nodeNetwork.nodeInterface]) {
    if (await interfaceExists(name)) failures.push(await attempt(`deleting ${name}`, () => run("ip", ["link", "delete", name])));
  }
  return failures.filter((f) => f !== undefined);
}
