import type { Settings } from '../config/schema.js';
import type { FieldValue } from './hash.js';
import { isBlank } from './values.js';

type NameRule = Settings['mapping']['group_name'];

/** The first column list whose values are all present wins; otherwise the fallback. */
export function applyNameRule(rule: NameRule, row: (column: string) => FieldValue): string {
  for (const columns of rule.columns) {
    const values = columns.map(row);
    if (values.every((v) => !isBlank(v))) return values.map(String).join(rule.separator);
  }
  return rule.fallback;
}

export function nameRuleColumns(rule: NameRule): string[] {
  return [...new Set(rule.columns.flat())];
}
