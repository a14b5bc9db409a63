/** A size cell: empty means "no such size"; anything else must be a whole number ≥ 0. */
export type QuantityResult = { ok: true; qty: number } | { ok: false; reason: string };

export function parseQuantity(raw: unknown): QuantityResult {
  if (raw === null || raw === undefined) return { ok: true, qty: 0 };
  let n: number;
  if (typeof raw === 'number') {
    n = raw;
  } else if (typeof raw === 'bigint') {
    n = Number(raw);
  } else {
    const text = String(raw).trim();
    if (text === '') return { ok: true, qty: 0 };
    if (!/^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/.test(text)) {
      return { ok: false, reason: `quantity ${JSON.stringify(text)} is not a number` };
    }
    n = Number(text);
  }
  if (!Number.isFinite(n)) return { ok: false, reason: `quantity ${String(raw)} is not a finite number` };
  if (n < 0) return { ok: false, reason: `quantity ${String(raw)} is negative` };
  if (!Number.isInteger(n)) return { ok: false, reason: `quantity ${String(raw)} is not a whole number` };
  if (n > 2_147_483_647) return { ok: false, reason: `quantity ${String(raw)} is too large` };
  return { ok: true, qty: n };
}
