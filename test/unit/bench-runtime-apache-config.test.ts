import { describe, expect, it } from "vitest";
import { apacheConfig, type ApacheConfigInput } from "../../bench/runtime/apache-config.ts";

const INPUT: ApacheConfigInput = {
  dir: "/tmp/pg-bench-x/apache-2x15",
  port: 41000,
  processes: 2,
  threads: 15,
  modulesDir: "/usr/lib/apache2/modules",
  wsgiScript: "/tmp/pg-bench-x/apache-2x15/app.wsgi",
  maxConnections: 64,
  runAs: { user: "www-data", group: "www-data" },
};

const directives = (config: string) =>
  config
    .split("\n")
    .map((l) => l.trim())
    .filter((l) => l !== "" && !l.startsWith("#"));

describe("apacheConfig", () => {
  it("runs one mod_wsgi daemon group with the processes and threads under test, in the global application group", () => {
    const lines = directives(apacheConfig(INPUT));
    expect(lines.filter((l) => l.startsWith("WSGIDaemonProcess"))).toEqual(["WSGIDaemonProcess bench processes=2 threads=15 listen-backlog=128"]);
    expect(lines).toContain("WSGIProcessGroup bench");
    expect(lines).toContain("WSGIApplicationGroup %{GLOBAL}");
    expect(lines).toContain('WSGIScriptAlias / "/tmp/pg-bench-x/apache-2x15/app.wsgi" process-group=bench application-group=%{GLOBAL}');
    expect(lines).toContain("WSGIRestrictEmbedded On");
  });

  it("listens on loopback only and keeps its pid file, logs and sockets in its own folder", () => {
    const lines = directives(apacheConfig(INPUT));
    expect(lines.filter((l) => l.startsWith("Listen"))).toEqual(["Listen 127.0.0.1:41000"]);
    expect(lines).toContain('PidFile "/tmp/pg-bench-x/apache-2x15/httpd.pid"');
    expect(lines).toContain('ErrorLog "/tmp/pg-bench-x/apache-2x15/error.log"');
    expect(lines).toContain('WSGISocketPrefix "/tmp/pg-bench-x/apache-2x15/wsgi"');
    expect(lines).toContain('DefaultRuntimeDir "/tmp/pg-bench-x/apache-2x15"');
    expect(lines.some((l) => l.includes("/etc/apache2"))).toBe(false);
  });

  it("loads the event MPM, authz and mod_wsgi from Debian's module folder", () => {
    const loads = directives(apacheConfig(INPUT)).filter((l) => l.startsWith("LoadModule"));
    expect(loads).toEqual([
      'LoadModule mpm_event_module "/usr/lib/apache2/modules/mod_mpm_event.so"',
      'LoadModule authz_core_module "/usr/lib/apache2/modules/mod_authz_core.so"',
      'LoadModule wsgi_module "/usr/lib/apache2/modules/mod_wsgi.so"',
    ]);
  });

  it("gives the front a thread for every connection, with keep-alive, so the MPM never limits", () => {
    const lines = directives(apacheConfig({ ...INPUT, maxConnections: 200 }));
    const value = (name: string) => Number(lines.find((l) => l.startsWith(`${name} `))?.split(/\s+/)[1]);
    expect(value("MaxRequestWorkers")).toBeGreaterThanOrEqual(200);
    expect(value("ThreadsPerChild")).toBeGreaterThanOrEqual(200);
    expect(value("ThreadLimit")).toBe(value("ThreadsPerChild"));
    expect(value("MaxRequestWorkers")).toBe(value("ServerLimit") * value("ThreadsPerChild"));
    expect(value("StartServers")).toBe(value("ServerLimit"));
    expect(lines).toContain("KeepAlive On");
    expect(lines).toContain("MaxKeepAliveRequests 0");
  });

  it("switches user only when told to (Apache started as root)", () => {
    expect(directives(apacheConfig(INPUT))).toEqual(expect.arrayContaining(["User www-data", "Group www-data"]));
    const unprivileged = directives(apacheConfig({ ...INPUT, runAs: undefined }));
    expect(unprivileged.some((l) => l.startsWith("User ") || l.startsWith("Group "))).toBe(false);
  });

  it("refuses shapes that are not positive whole numbers", () => {
    expect(() => apacheConfig({ ...INPUT, threads: 0 })).toThrow(/threads/);
    expect(() => apacheConfig({ ...INPUT, processes: 1.5 })).toThrow(/processes/);
  });
});
