import { describe, expect, it } from "vitest";
import { writesToOurKinds } from "../../bench/operator/apiserver-writes.ts";
import { flagDefault, flagValue } from "../../bench/operator/controller-manager-limits.ts";
import { countersFrom, writesBetween } from "../../bench/operator/operator-counters.ts";
import { cpuBetween, parseProcStatCpuTicks } from "../../bench/operator/process-cpu.ts";
import { parseProcStatus } from "../../bench/operator/process-memory.ts";
import { parsePrometheusText, sumOf } from "../../bench/operator/prometheus-text.ts";

describe("parsePrometheusText", () => {
  it("reads names, labels (with escapes), values and skips comments and timestamps", () => {
    const samples = parsePrometheusText(
      [
        "# HELP x_total A counter.",
        "# TYPE x_total counter",
        'x_total{verb="patch",resource="deployments",code="200"} 3',
        'x_total{path="a\\"b\\\\c"} 1.5e+2 1700000000000',
        "up 1",
        "",
      ].join("\n"),
    );
    expect(samples).toEqual([
      { name: "x_total", labels: { verb: "patch", resource: "deployments", code: "200" }, value: 3 },
      { name: "x_total", labels: { path: 'a"b\\c' }, value: 150 },
      { name: "up", labels: {}, value: 1 },
    ]);
  });

  it("takes infinities and NaN in any case (prom-client writes Nan)", () => {
    const [lag, bucket] = parsePrometheusText('lag_seconds Nan\nh_bucket{le="+Inf"} +Inf\n');
    expect(lag?.value).toBeNaN();
    expect(bucket?.value).toBe(Number.POSITIVE_INFINITY);
  });

  it("throws on a sample whose value is not a number", () => {
    expect(() => parsePrometheusText("x_total many\n")).toThrow();
  });

  it("sums a family filtered by labels", () => {
    const samples = parsePrometheusText('r{result="success"} 5\nr{result="error"} 2\nother 9\n');
    expect(sumOf(samples, "r")).toBe(7);
    expect(sumOf(samples, "r", (l) => l["result"] === "error")).toBe(2);
  });
});

const operatorMetrics = (writes: Record<string, number>, reconciles: number) =>
  parsePrometheusText(
    [
      `processgroup_operator_reconciles_total{result="success"} ${reconciles}`,
      'processgroup_operator_reconciles_total{result="error"} 0',
      'processgroup_operator_api_requests_total{verb="get",resource="processgroups",code="200"} 99',
      ...Object.entries(writes).map(([request, n]) => {
        const [verb, resource, code] = request.split(" ");
        return `processgroup_operator_api_requests_total{verb="${verb}",resource="${resource}",code="${code}"} ${n}`;
      }),
    ].join("\n"),
  );

describe("the operator's write counters", () => {
  it("keeps only write verbs, by verb, resource and code", () => {
    const counters = countersFrom(operatorMetrics({ "patch deployments 200": 4, "put leases 200": 10 }, 7));
    expect(counters).toEqual({ reconciles: 7, writes: { "patch deployments 200": 4, "put leases 200": 10 } });
  });

  it("counts writes between two readings, Lease renewals apart", () => {
    const before = countersFrom(operatorMetrics({ "patch deployments 200": 4, "put leases 200": 10 }, 7));
    const after = countersFrom(operatorMetrics({ "patch deployments 200": 4, "put leases 200": 40, "post events 201": 2 }, 107));
    expect(writesBetween(before, after)).toEqual({ writes: 2, leaseWrites: 30, reconciles: 100, byRequest: { "post events 201": 2 } });
  });
});

describe("writesToOurKinds", () => {
  it("counts writes to ProcessGroups, Deployments (not their status), Services and Ingresses only", () => {
    const line = (verb: string, group: string, resource: string, subresource: string, n: number) =>
      `apiserver_request_total{code="200",component="apiserver",dry_run="",group="${group}",resource="${resource}",scope="resource",subresource="${subresource}",verb="${verb}",version="v1"} ${n}`;
    const samples = parsePrometheusText(
      [
        line("APPLY", "processgroup.dev", "processgroups", "status", 1),
        line("APPLY", "apps", "deployments", "", 2),
        line("PUT", "apps", "deployments", "status", 100),
        line("PATCH", "", "services", "", 4),
        line("DELETE", "networking.k8s.io", "ingresses", "", 8),
        line("GET", "apps", "deployments", "", 1000),
        line("WATCH", "", "services", "", 1000),
        line("PUT", "coordination.k8s.io", "leases", "", 1000),
        line("POST", "", "events", "", 1000),
      ].join("\n"),
    );
    expect(writesToOurKinds(samples)).toBe(15);
  });
});

describe("parseProcStatus", () => {
  it("reads VmRSS and VmHWM in kB", () => {
    const status = "Name:\tnode\nVmPeak:\t 1234 kB\nVmHWM:\t  98304 kB\nVmRSS:\t   81920 kB\nThreads:\t11\n";
    expect(parseProcStatus(status)).toEqual({ rssKb: 81_920, hwmKb: 98_304 });
  });

  it("throws when a field is missing (a process that is gone, a kernel without them)", () => {
    expect(() => parseProcStatus("Name:\tnode\n")).toThrow(/VmRSS/);
  });
});

describe("process CPU", () => {
  it("adds utime and stime from /proc/<pid>/stat, counting fields after the last ')'", () => {
    const stat = "4242 (node (worker) x) S 1 4242 4242 0 -1 4194560 5000 0 0 0 1234 567 0 0 20 0 11 0 123456 1000000 20000";
    expect(parseProcStatCpuTicks(stat)).toBe(1_801);
  });

  it("subtracts two snapshots per process", () => {
    expect(cpuBetween({ operator: 1.5, apiserver: 10 }, { operator: 4, apiserver: 12.5 })).toEqual({ operator: 2.5, apiserver: 2.5 });
  });
});

describe("kube-controller-manager's flags", () => {
  const help = [
    "      --kube-api-burst int32                               Burst to use while talking with kubernetes apiserver. (default 30)",
    '      --kube-api-content-type string                       Content type of requests sent to apiserver. (default "application/vnd.kubernetes.protobuf")',
    "      --kube-api-qps float32                               QPS to use while talking with kubernetes apiserver. (default 20)",
    "      --concurrent-deployment-syncs int32   The number of deployment objects that are allowed to sync concurrently. Larger number = more responsive deployments, but more CPU (and network) load (default 5)",
  ].join("\n");

  it("reads a flag's default from --help, not a longer flag sharing its prefix", () => {
    expect(flagDefault(help, "kube-api-qps")).toBe("20");
    expect(flagDefault(help, "kube-api-burst")).toBe("30");
    expect(flagDefault(help, "kube-api-content-type")).toBe("application/vnd.kubernetes.protobuf");
    expect(flagDefault(help, "concurrent-deployment-syncs")).toBe("5");
    expect(flagDefault(help, "kube-api")).toBeUndefined();
  });

  it("reads a flag's value from an argv in either form", () => {
    const argv = ["kcm", "--kube-api-qps=50", "--kube-api-burst", "100", "--controllers=*"];
    expect(flagValue(argv, "kube-api-qps")).toBe("50");
    expect(flagValue(argv, "kube-api-burst")).toBe("100");
    expect(flagValue(argv, "concurrent-deployment-syncs")).toBeUndefined();
  });
});
