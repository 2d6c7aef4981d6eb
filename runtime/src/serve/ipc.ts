import type { RuntimeSettings } from "../settings/runtime-settings.ts";

// Messages between a `serve` supervisor and each of its processes.

export type ToChild =
  | { readonly t: "start"; readonly settings: RuntimeSettings }
  | { readonly t: "readiness"; readonly q: number }
  | { readonly t: "metrics"; readonly q: number };

export type FromChild =
  | { readonly t: "listening"; readonly port: number }
  | { readonly t: "readiness"; readonly q: number; readonly reasons: readonly string[] | null }
  | { readonly t: "metrics"; readonly q: number; readonly metrics: unknown };
