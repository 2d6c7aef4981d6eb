import { describe, expect, it } from "vitest";
import type { WorkerData } from "../threads/protocol.ts";
import { appProcessEnv } from "./app-process-env.ts";

const data: WorkerData = {
  processGroup: "shop",
  applicationGroup: "%{GLOBAL}",
  applications: [],
  preload: [],
  multiprocess: true,
  multithread: false,
  threads: 1,
  concurrency: 16,
  environment: { DATABASE_URL: "postgres://db/shop", MODE: "live" },
};

describe("appProcessEnv", () => {
  it("gives spec.env and the flags as strings, mod_wsgi's true/false", () => {
    expect(appProcessEnv(data)).toEqual({
      DATABASE_URL: "postgres://db/shop",
      MODE: "live",
      PROCESSGROUP_MULTIPROCESS: "true",
      PROCESSGROUP_MULTITHREAD: "false",
      PROCESSGROUP_THREADS: "1",
      PROCESSGROUP_CONCURRENCY: "16",
      PROCESSGROUP_PROCESS_GROUP: "shop",
      PROCESSGROUP_APPLICATION_GROUP: "%{GLOBAL}",
    });
  });

  it("never lets spec.env shadow a flag", () => {
    const shadowing = appProcessEnv({ ...data, environment: { PROCESSGROUP_THREADS: "99" } });
    expect(shadowing["PROCESSGROUP_THREADS"]).toBe("1");
  });
});
