import { describe, expect, it } from "vitest";
import { helloApplications, processGroupYaml } from "../../../test/support/process-group-yaml.ts";
import { DEFAULT_LOCAL_OPTIONS } from "../settings/settings-of.ts";
import { pickGroup } from "./pick-group.ts";

const file = (name: string) => ({ file: `${name}.yaml`, text: processGroupYaml(name, helloApplications) });
const query = (names: string[], name?: string) => ({ sources: names.map(file), name, local: DEFAULT_LOCAL_OPTIONS });

describe("pickGroup", () => {
  it("takes the only group, or the named one, with the dispatch the environment asks for", () => {
    expect(pickGroup(query(["a"]), {})).toMatchObject({ ok: true, settings: { processGroup: "a", dispatch: "auto" } });
    expect(pickGroup(query(["a", "b"], "b"), { PROCESSGROUP_DISPATCH: "request" })).toMatchObject({ ok: true, settings: { processGroup: "b", dispatch: "request" } });
  });

  it("says what to do when the files hold several groups, none by that name, or the dispatch is wrong", () => {
    expect(pickGroup(query(["a", "b"]), {})).toEqual({ ok: false, errors: ["2 files hold a ProcessGroup; name one with --name"] });
    expect(pickGroup(query(["a", "b"], "c"), {})).toEqual({ ok: false, errors: ["no ProcessGroup named c in the files"] });
    expect(pickGroup(query(["a"]), { PROCESSGROUP_DISPATCH: "x" })).toEqual({ ok: false, errors: ['PROCESSGROUP_DISPATCH must be one of auto, connection, request (got "x")'] });
  });

  it("takes env.once()'s takeover time from the environment, 15 s when unset, and names a wrong one", () => {
    expect(pickGroup(query(["a"]), {})).toMatchObject({ ok: true, settings: { onceTakeoverMs: 15_000 } });
    expect(pickGroup(query(["a"]), { PROCESSGROUP_ONCE_TAKEOVER_SECONDS: "2.5" })).toMatchObject({ ok: true, settings: { onceTakeoverMs: 2_500 } });
    for (const bad of ["0", "-1", "soon"]) {
      expect(pickGroup(query(["a"]), { PROCESSGROUP_ONCE_TAKEOVER_SECONDS: bad })).toEqual({ ok: false, errors: [`PROCESSGROUP_ONCE_TAKEOVER_SECONDS must be a number of seconds > 0 (got ${JSON.stringify(bad)})`] });
    }
  });
});
