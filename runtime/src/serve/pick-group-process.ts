import { readFileSync } from "node:fs";
import { pickGroup, type GroupQuery } from "./pick-group.ts";

// The short-lived process of pickGroupApart(): a GroupQuery as JSON on stdin, the GroupFromFile
// as JSON on stdout, the dispatch read from the environment it inherits. It takes the YAML
// parser and the schema with it when it exits.
const query = JSON.parse(readFileSync(0, "utf8")) as GroupQuery;
process.stdout.write(JSON.stringify(pickGroup(query, process.env)));
