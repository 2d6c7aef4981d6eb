import { describe, expect, it } from "vitest";
import { settingsFromEnv } from "./settings-from-env.ts";

const config = { threads: 4, root: "/app", applications: [{ name: "web", mount: "/", entry: "server.mjs", applicationGroup: "%{GLOBAL}" }], preload: [{ module: "warm.mjs" }] };
const env = {
  PROCESSGROUP_NAME: "shop",
  PROCESSGROUP_THREADS: "4",
  PROCESSGROUP_MULTIPROCESS: "true",
  PROCESSGROUP_MULTITHREAD: "true",
  PROCESSGROUP_CONFIG: JSON.stringify(config),
};

describe("settingsFromEnv", () => {
  it("reads the operator's contract, with the contract's ports by default", () => {
    const result = settingsFromEnv(env);
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.settings).toMatchObject({ processGroup: "shop", threads: 4, multiprocess: true, multithread: true, port: 8080, adminPort: 9090, displayName: "shop", accessLog: false, reloadOnChange: true });
    expect(result.settings.applications[0]).toMatchObject({ entry: "/app/server.mjs", applicationGroup: "%{GLOBAL}" });
    expect(result.settings.preload).toEqual([{ module: "/app/warm.mjs", applicationGroup: undefined }]);
  });

  it("takes the optional knobs an image may set", () => {
    const result = settingsFromEnv({ ...env, PROCESSGROUP_ACCESS_LOG: "true", PROCESSGROUP_LOG_LEVEL: "debug", PROCESSGROUP_RELOAD: "false", PROCESSGROUP_PORT: "8000" });
    expect(result.ok && result.settings).toMatchObject({ accessLog: true, logLevel: "debug", reloadOnChange: false, port: 8000 });
  });

  it("takes concurrency from the config, the variable winning, 1 when neither says", () => {
    expect(settingsFromEnv(env)).toMatchObject({ ok: true, settings: { concurrency: 1 } });
    const configured = { ...env, PROCESSGROUP_CONFIG: JSON.stringify({ ...config, concurrency: 8 }) };
    expect(settingsFromEnv(configured)).toMatchObject({ ok: true, settings: { concurrency: 8 } });
    expect(settingsFromEnv({ ...configured, PROCESSGROUP_CONCURRENCY: "32" })).toMatchObject({ ok: true, settings: { concurrency: 32 } });
    const bad = settingsFromEnv({ ...env, PROCESSGROUP_CONCURRENCY: "0" });
    expect(bad.ok === false && bad.problems).toEqual([{ path: "PROCESSGROUP_CONCURRENCY", message: "must be an integer >= 1" }]);
  });

  it("takes the dispatch an image asks for, auto when it asks for none, and names a wrong one", () => {
    expect(settingsFromEnv(env)).toMatchObject({ ok: true, settings: { dispatch: "auto" } });
    expect(settingsFromEnv({ ...env, PROCESSGROUP_DISPATCH: "request" })).toMatchObject({ ok: true, settings: { dispatch: "request" } });
    const bad = settingsFromEnv({ ...env, PROCESSGROUP_DISPATCH: "threads" });
    expect(bad.ok === false && bad.problems).toEqual([{ path: "PROCESSGROUP_DISPATCH", message: 'must be one of auto, connection, request (got "threads")' }]);
  });

  it("takes env.once()'s takeover time an image asks for, 15 s by default, and names a wrong one", () => {
    expect(settingsFromEnv(env)).toMatchObject({ ok: true, settings: { onceTakeoverMs: 15_000 } });
    expect(settingsFromEnv({ ...env, PROCESSGROUP_ONCE_TAKEOVER_SECONDS: "30" })).toMatchObject({ ok: true, settings: { onceTakeoverMs: 30_000 } });
    const bad = settingsFromEnv({ ...env, PROCESSGROUP_ONCE_TAKEOVER_SECONDS: "0" });
    expect(bad.ok === false && bad.problems).toEqual([{ path: "PROCESSGROUP_ONCE_TAKEOVER_SECONDS", message: 'must be a number of seconds > 0 (got "0")' }]);
  });

  it("names every variable that breaks the contract", () => {
    const result = settingsFromEnv({ ...env, PROCESSGROUP_NAME: undefined, PROCESSGROUP_PORT: "http" });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.problems.map((p) => p.path)).toEqual(["PROCESSGROUP_NAME", "PROCESSGROUP_PORT"]);
  });
});
