export type Plain = Record<string, unknown>;

export function isPlainObject(v: unknown): v is Plain {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Date);
}

/** Overlay wins; tables merge key by key, arrays and scalars are replaced whole. */
export function deepMerge(base: Plain, overlay: Plain): Plain {
  const out: Plain = { ...base };
  for (const [k, v] of Object.entries(overlay)) {
    const b = out[k];
    out[k] = isPlainObject(b) && isPlainObject(v) ? deepMerge(b, v) : v;
  }
  return out;
}

/** Whether a key path is set in a raw (unvalidated) layer. */
export function hasPath(obj: unknown, path: readonly PropertyKey[]): boolean {
  let cur: unknown = obj;
  for (const p of path) {
    if (!isPlainObject(cur) || !(String(p) in cur)) return false;
    cur = cur[String(p)];
  }
  return true;
}
