import type { Settings } from '../config/index.js';
import type { FieldValue } from './hash.js';
import { collapseSpace } from '../text.js';

type ColumnRule = Settings['mapping']['transforms'][string];

/**
 * A mapped column's `transform` steps, then its value map, on the staged value: what comes
 * out is what is formatted, hashed and written, so a change the rule erases (case, spacing)
 * is no change at all. Numbers, dates and booleans pass the text steps untouched, but the
 * value map sees their text.
 */
export function applyColumnRule(rule: ColumnRule | undefined, v: FieldValue): FieldValue {
  if (!rule || v === null) return v;
  let out: FieldValue = v;
  if (typeof out === 'string') {
    for (const step of rule.transform) {
      const t: string = out as string;
      out = step === 'trim' ? t.trim() : step === 'upper' ? t.toUpperCase() : step === 'lower' ? t.toLowerCase() : collapseSpace(t);
    }
    if (out === '') return null;
  }
  const mapped = rule.values[String(out)];
  return mapped === undefined ? out : mapped === '' ? null : mapped;
}
