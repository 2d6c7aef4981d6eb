import { readFile } from "node:fs/promises";
import { z } from "zod";

export interface ProcessMemory {
  /** Resident set size now. */
  readonly rssKb: number;
  /** Peak resident set size since the process started ("high water mark"). */
  readonly hwmKb: number;
}

const kb = (field: string) =>
  z
    .string({ error: `no ${field} line` })
    .regex(/^\d+ kB$/, { error: `${field} is not "<n> kB"` })
    .transform((value) => Number.parseInt(value, 10));
const statusFields = z.object({ VmRSS: kb("VmRSS"), VmHWM: kb("VmHWM") });

/** Reads VmRSS and VmHWM from the text of /proc/<pid>/status. */
export function parseProcStatus(text: string): ProcessMemory {
  const fields = Object.fromEntries(
    text.split("\n").flatMap((line) => {
      const colon = line.indexOf(":");
      return colon < 0 ? [] : [[line.slice(0, colon), line.slice(colon + 1).trim()]];
    }),
  );
  const parsed = statusFields.parse(fields);
  return { rssKb: parsed.VmRSS, hwmKb: parsed.VmHWM };
}

export async function readProcessMemory(pid: number): Promise<ProcessMemory> {
  return parseProcStatus(await readFile(`/proc/${pid}/status`, "utf8"));
}

export const megabytes = (kilobytes: number): number => kilobytes / 1024;

/** Samples a process's memory every `intervalMs` for as long as the bench runs. */
export class MemorySampler {
  readonly #pid: number;
  readonly #samples: { at: number; memory: ProcessMemory }[] = [];
  readonly #timer: NodeJS.Timeout;

  constructor(pid: number, intervalMs = 1_000) {
    this.#pid = pid;
    this.#timer = setInterval(() => void this.sample().catch(() => {}), intervalMs);
    this.#timer.unref();
  }

  async sample(): Promise<ProcessMemory> {
    const memory = await readProcessMemory(this.#pid);
    this.#samples.push({ at: performance.now(), memory });
    return memory;
  }

  /** The largest RSS sampled between two `performance.now()` times. */
  maxRssKbBetween(from: number, to: number): number {
    return Math.max(0, ...this.#samples.filter((s) => s.at >= from && s.at <= to).map((s) => s.memory.rssKb));
  }

  stop(): void {
    clearInterval(this.#timer);
  }
}
