import type { FieldValue } from './hash.js';

/**
 * One representation per value whatever the engine returned: trimmed text (empty → null),
 * finite numbers, dates as YYYY-MM-DD (or full ISO when a time is present).
 */
export function normalizeValue(v: unknown): FieldValue {
  if (v === null || v === undefined) return null;
  if (typeof v === 'string') {
    const t = v.trim();
    return t === '' ? null : t;
  }
  if (typeof v === 'number') return Number.isFinite(v) ? v : null;
  if (typeof v === 'bigint') return Number(v);
  if (typeof v === 'boolean') return v;
  if (v instanceof Date) {
    if (Number.isNaN(v.getTime())) return null;
    const iso = v.toISOString();
    return iso.endsWith('T00:00:00.000Z') ? iso.slice(0, 10) : iso;
  }
  if (v instanceof Uint8Array) return Buffer.from(v).toString('utf8').trim() || null;
  return String(v);
}

export function isBlank(v: FieldValue): boolean {
  return v === null || v === '';
}

export function asText(v: FieldValue): string | null {
  return v === null ? null : String(v);
}
