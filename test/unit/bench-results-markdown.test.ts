import { describe, expect, it } from "vitest";
import { END_MARKER, replaceResultsSection, START_MARKER } from "../../bench/markdown.ts";
import { resultsFileName } from "../../bench/results.ts";

describe("replaceResultsSection", () => {
  it("replaces only the text between the markers, keeping them", () => {
    const document = `# Benchmarks\n\nhow to rerun\n\n${START_MARKER}\nold table\n${END_MARKER}\n\nfooter\n`;
    const updated = replaceResultsSection(document, "new table\n");
    expect(updated).toBe(`# Benchmarks\n\nhow to rerun\n\n${START_MARKER}\nnew table\n${END_MARKER}\n\nfooter\n`);
    expect(replaceResultsSection(updated, "new table")).toBe(updated);
  });

  it("refuses a document without both markers in order", () => {
    expect(() => replaceResultsSection("# nothing here", "x")).toThrow(/bench:results:start/);
    expect(() => replaceResultsSection(`${END_MARKER}\n${START_MARKER}`, "x")).toThrow();
  });
});

describe("resultsFileName", () => {
  it("names the file after the run's date", () => {
    expect(resultsFileName(new Date("2025-03-04T23:59:00Z"))).toBe("2025-03-04.json");
  });
});
