import * as crypto from 'node:crypto';

export type FieldValue = string | number | boolean | null;

/**
 * Canonical JSON: object keys sorted, so the same values always give the same bytes
 * whatever order the staging columns or the config listed them in.
 */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const obj = value as Record<string, unknown>;
  const keys = Object.keys(obj).sort();
  return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson(obj[k])}`).join(',')}}`;
}

// One-shot hashing (Node 20.12+) skips a Hash object per call: the merge hashes every staged row twice.
const oneShot = (crypto as { hash?: (algorithm: string, data: string, encoding: 'hex') => string }).hash;

export function sha256(text: string): string {
  return oneShot ? oneShot('sha256', text, 'hex') : crypto.createHash('sha256').update(text).digest('hex');
}

/** Marks a row hash of the first definition (over staged text), left by migration 003 until the next merge re-hashes it. */
export const LEGACY_HASH_PREFIX = 'v1:';

/**
 * The first row-hash definition: staged values of the mapped staging columns, name, group,
 * cancellation. Kept to recognise rows synced under it (migration 003 and its `down`).
 */
export function legacyRowHash(o: { fields: Record<string, FieldValue>; groupName: string; itemName: string; cancelled: boolean }): string {
  const fields = Object.fromEntries(Object.entries(o.fields).filter(([k]) => !k.startsWith('@')));
  return sha256(canonicalJson({ fields, groupName: o.groupName, itemName: o.itemName, cancelled: o.cancelled }));
}
