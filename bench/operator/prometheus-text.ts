import { z } from "zod";

/** One sample of the Prometheus text exposition format. */
export interface Sample {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly value: number;
}

const sampleLine = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)(?:\s+-?\d+)?$/;
const labelPair = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g;
// Counters are finite; +Inf/-Inf/NaN appear in other families and are kept as such, in any
// case (prom-client writes "Nan" for an event-loop lag it has not measured yet).
const special: Readonly<Record<string, number>> = { "+inf": Number.POSITIVE_INFINITY, inf: Number.POSITIVE_INFINITY, "-inf": Number.NEGATIVE_INFINITY, nan: Number.NaN };
const sampleValue = z.union([
  z
    .string()
    .refine((v) => v.toLowerCase() in special)
    .transform((v) => special[v.toLowerCase()] ?? Number.NaN),
  z.coerce.number().finite(),
]);
const unescape = (value: string): string => value.replaceAll(/\\(.)/g, (_, c: string) => (c === "n" ? "\n" : c));

/**
 * Parses the text format (as served by prom-client and by the apiserver). Comments and lines
 * that are not samples are skipped; a sample whose value is not a number throws, since it
 * means the text is not what we think it is.
 */
export function parsePrometheusText(text: string): Sample[] {
  const samples: Sample[] = [];
  for (const line of text.split("\n")) {
    if (line === "" || line.startsWith("#")) continue;
    const match = sampleLine.exec(line.trim());
    if (!match) continue;
    const [, name = "", labelText = "", value = ""] = match;
    const labels: Record<string, string> = {};
    for (const [, key = "", raw = ""] of labelText.matchAll(labelPair)) labels[key] = unescape(raw);
    samples.push({ name, labels, value: sampleValue.parse(value) });
  }
  return samples;
}

/** The sum of a family's samples whose labels pass `where`. */
export function sumOf(samples: readonly Sample[], name: string, where: (labels: Readonly<Record<string, string>>) => boolean = () => true): number {
  return samples.filter((s) => s.name === name && where(s.labels)).reduce((sum, s) => sum + s.value, 0);
}
