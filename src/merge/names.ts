import type { Settings } from '../config/index.js';
import type { FieldValue } from './hash.js';
import { codePointLength, collapseSpace, cutToCodePoints } from '../text.js';
import { isBlank } from './values.js';

type GroupRule = Settings['mapping']['group_name'];
type ItemRule = Settings['mapping']['item_name'];

/** monday's limit for an item name (api-notes: 1–255 characters, counted in code points). */
export const ITEM_NAME_MAX = 255;

/** The first column list whose values are all present wins; otherwise the fallback. */
export function applyNameRule(rule: GroupRule, row: (column: string) => FieldValue): string {
  for (const columns of rule.columns) {
    const values = columns.map(row);
    if (values.every((v) => !isBlank(v))) return values.map(String).join(rule.separator);
  }
  return rule.fallback;
}

export type ItemName = { ok: true; name: string; cutFrom?: number } | { ok: false; reason: string };

/**
 * The item name: `parts` joins the non-empty ones, `columns` takes the first complete list;
 * whitespace is collapsed; empty falls back to `fallback`, else the key; over 255 code points
 * it is cut (`overflow = "cut"`, the caller notes it) or refused (`"fail"`).
 */
export function itemName(rule: ItemRule, row: (column: string) => FieldValue, key: string): ItemName {
  let raw: string | undefined;
  if (rule.parts) {
    raw = rule.parts.map(row).filter((v) => !isBlank(v)).map(String).join(rule.separator);
  } else {
    for (const columns of rule.columns ?? []) {
      const values = columns.map(row);
      if (values.every((v) => !isBlank(v))) {
        raw = values.map(String).join(rule.separator);
        break;
      }
    }
  }
  let name = collapseSpace(raw ?? '');
  if (name === '') name = collapseSpace(rule.fallback ?? '') || collapseSpace(key);
  const length = codePointLength(name);
  if (length <= ITEM_NAME_MAX) return { ok: true, name };
  if (rule.overflow === 'fail') {
    return { ok: false, reason: `item name is ${length} characters, monday allows ${ITEM_NAME_MAX} (mapping.item_name.overflow = "fail")` };
  }
  return { ok: true, name: cutToCodePoints(name, ITEM_NAME_MAX).text.trimEnd(), cutFrom: length };
}

export function nameRuleColumns(rule: GroupRule | ItemRule): string[] {
  return [...new Set([...(rule.columns ?? []).flat(), ...('parts' in rule ? (rule.parts ?? []) : [])])];
}
