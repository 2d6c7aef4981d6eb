// Kubernetes stores quantities in canonical form ("0.5" comes back as "500m", 1024Mi as
// "1Gi"), so comparing what we asked for with what the server holds must compare values.

const QUANTITY = /^([+-]?)(\d+)?(?:\.(\d*))?(?:[eE]([+-]?\d+)|(Ki|Mi|Gi|Ti|Pi|Ei)|([munkMGTPE]))?$/;
const DECIMAL: Record<string, number> = { n: -9, u: -6, m: -3, k: 3, M: 6, G: 9, T: 12, P: 15, E: 18 };
const BINARY: Record<string, number> = { Ki: 10, Mi: 20, Gi: 30, Ti: 40, Pi: 50, Ei: 60 };

interface Exact {
  readonly digits: bigint;
  readonly exp10: number;
  readonly exp2: number;
}

export function parseQuantity(value: string | number): Exact | undefined {
  const match = QUANTITY.exec(String(value).trim());
  if (!match) return undefined;
  const [, sign = "", whole = "", fraction = "", exponent, binary, decimal] = match;
  if (whole === "" && fraction === "") return undefined;
  const digits = BigInt(`${sign}${whole}${fraction}` || "0");
  const exp10 = -fraction.length + Number(exponent ?? 0) + (decimal ? (DECIMAL[decimal] ?? 0) : 0);
  return { digits, exp10, exp2: binary ? (BINARY[binary] ?? 0) : 0 };
}

function scaled(q: Exact, exp10: number, exp2: number): bigint {
  return q.digits * 10n ** BigInt(q.exp10 - exp10) * 2n ** BigInt(q.exp2 - exp2);
}

/** True when both are quantities of the same value, whatever their notation. */
export function sameQuantity(a: string | number, b: string | number): boolean {
  const qa = parseQuantity(a);
  const qb = parseQuantity(b);
  if (!qa || !qb) return false;
  const exp10 = Math.min(qa.exp10, qb.exp10);
  const exp2 = Math.min(qa.exp2, qb.exp2);
  return scaled(qa, exp10, exp2) === scaled(qb, exp10, exp2);
}
