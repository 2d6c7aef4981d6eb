import { describe, expect, test } from "vitest";
import { parseClusterArgs } from "../../controlplane/cli-args.ts";

describe("the control-plane CLI's arguments", () => {
  test.each([
    [["up"], { kind: "run", command: "up", profile: "full", dir: ".cluster", kubelet: false }],
    [["status", "--dir", "/tmp/c"], { kind: "run", command: "status", profile: "full", dir: "/tmp/c", kubelet: false }],
    [["up", "--profile", "apiserver"], { kind: "run", command: "up", profile: "apiserver", dir: ".cluster", kubelet: false }],
    [["up", "--kubelet"], { kind: "run", command: "up", profile: "full", dir: ".cluster", kubelet: true }],
    [["--help"], { kind: "help" }],
    [["up", "-h"], { kind: "help" }],
  ])("%j is understood", (argv, expected) => {
    expect(parseClusterArgs(argv)).toEqual(expected);
  });

  test.each([
    [[], /expected one command \(up, down or status\), got none/],
    [["up", "down"], /expected one command .* got up down/],
    [["start"], /unknown command "start": expected up, down or status/],
    [["up", "--profile", "kind"], /--profile: "kind" is not one of full, apiserver/],
    [["up", "--profile", "apiserver", "--kubelet"], /--kubelet needs --profile full/],
    [["up", "--verbose"], /--verbose/],
  ])("%j is refused with a message that names what is wrong", (argv, message) => {
    const parsed = parseClusterArgs(argv);
    expect(parsed.kind).toBe("error");
    expect(parsed.kind === "error" ? parsed.message : "").toMatch(message);
  });
});
