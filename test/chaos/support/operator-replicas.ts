import { CoordinationV1Api, type KubeConfig } from "@kubernetes/client-node";
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { OperatorProcess, operatorArgs } from "../../support/operator-process.ts";
import { until } from "../../support/until.ts";

const LEASE = "processgroup-operator";

/**
 * Replicas of `processgroup operator` as child processes, electing a leader through a Lease in
 * the watched namespace (short timings: a killed leader's lease expires in 4 s). A replica
 * that dies is replaced by a new process with a new identity, as a restarted pod would be.
 */
export class OperatorReplicas {
  /** Every process started, the dead ones too: their logs are part of the story. */
  readonly started: OperatorProcess[] = [];
  readonly #kubeconfig: string;
  readonly #namespace: string;
  readonly #extraArgs: readonly string[];
  #next = 0;

  constructor(kubeconfig: string, namespace: string, extraArgs: readonly string[] = []) {
    this.#kubeconfig = kubeconfig;
    this.#namespace = namespace;
    this.#extraArgs = extraArgs;
  }

  get running(): OperatorProcess[] {
    return this.started.filter((p) => p.running);
  }

  /** Starts one more replica. */
  add(): OperatorProcess {
    const identity = `replica-${this.#next++}`;
    const args = ["--namespaces", this.#namespace, "--lease-namespace", this.#namespace, "--lease-duration", "4", "--renew-deadline", "3", "--retry-period", "0.25", "--log-level", "debug", ...this.#extraArgs];
    const replica = new OperatorProcess(identity, operatorArgs(this.#kubeconfig, identity, args));
    this.started.push(replica);
    return replica;
  }

  /** Starts `count` replicas and waits until one of them leads with synced caches. */
  async start(kc: KubeConfig, count = 2): Promise<OperatorProcess> {
    for (let i = 0; i < count; i++) this.add();
    return this.leader(kc, 60_000);
  }

  /** The running replica that holds the Lease (if any) and when the Lease was last renewed. */
  async #lease(kc: KubeConfig): Promise<{ holder: OperatorProcess | undefined; renewedAt: number }> {
    const lease = await kc.makeApiClient(CoordinationV1Api).readNamespacedLease({ name: LEASE, namespace: this.#namespace }).catch(() => undefined);
    const renewTime = lease?.spec?.renewTime;
    return { holder: this.running.find((p) => p.identity === lease?.spec?.holderIdentity), renewedAt: renewTime ? new Date(renewTime).getTime() : 0 };
  }

  /** The running replica that holds the Lease and reconciles (with caches synced after `notBefore`), once there is one. */
  leader(kc: KubeConfig, timeoutMs: number, notBefore = 0): Promise<OperatorProcess> {
    return until("a running replica to lead with synced caches", timeoutMs, async () => {
      const { holder } = await this.#lease(kc);
      // The line a replica logs each time it becomes leader and has filled its caches.
      const synced = holder?.lines.some((l) => l.msg === "caches synced; reconciling" && Date.parse(String(l["time"])) >= notBefore);
      return synced ? holder : undefined;
    });
  }

  /** Waits until a running replica holds the Lease and renewed it after `after` (ms since the epoch). */
  renewedAfter(kc: KubeConfig, after: number, timeoutMs: number): Promise<OperatorProcess> {
    return until("a running replica to renew the lease", timeoutMs, async () => {
      const { holder, renewedAt } = await this.#lease(kc);
      return renewedAt > after ? holder : undefined;
    });
  }

  /**
   * SIGKILLs the leader (no lease release, reconciles cut off mid-flight), starts a replacement
   * and waits until a surviving replica leads with synced caches. Returns the milliseconds
   * from the kill to that.
   */
  async killLeader(kc: KubeConfig): Promise<number> {
    const leader = await this.leader(kc, 60_000);
    const killedAt = Date.now();
    await leader.stop("SIGKILL");
    this.add();
    await this.leader(kc, 60_000, killedAt);
    return Date.now() - killedAt;
  }

  /** Graceful stop of every running replica (they release the lease); SIGKILL for any left. */
  async stop(): Promise<void> {
    await Promise.all(this.running.map((p) => p.stop("SIGTERM")));
  }

  /** Kills any replica left and keeps every replica's log, for the story of a failure: .cluster/chaos/operator-logs/NAMESPACE/IDENTITY.jsonl. */
  async kill(): Promise<void> {
    for (const p of this.started) p.kill();
    const dir = fileURLToPath(new URL(`../../../.cluster/chaos/operator-logs/${this.#namespace}/`, import.meta.url));
    await mkdir(dir, { recursive: true });
    for (const p of this.started) await writeFile(join(dir, `${p.identity}.jsonl`), p.lines.map((l) => JSON.stringify(l)).join("\n"));
  }

  /** How many log lines of every replica, dead or alive, carry this message. */
  count(msg: string): number {
    return this.started.reduce((sum, p) => sum + p.lines.filter((l) => l.msg === msg).length, 0);
  }
}
