import type { Kysely } from 'kysely';
import type { Settings } from '../config/index.js';
import { dialectAdapter, type DialectName } from '../db/index.js';
import { ConfigError } from '../errors.js';
import { nameRuleColumns } from './names.js';

/** The staging table's columns in physical order (the order markers depend on). */
export async function stagingColumns(db: Kysely<any>, dialect: DialectName, table: string): Promise<string[]> {
  const rows = await dialectAdapter(dialect).columns(db, table);
  if (rows.length === 0) throw new ConfigError(`staging table "${table}" not found (staging.table); load it with \`ordersync ingest\``);
  return rows.map((r) => r.name);
}

function seen(columns: string[]): string {
  const shown = columns.slice(0, 12).map((c) => `"${c}"`).join(', ');
  return columns.length > 12 ? `${shown} … (${columns.length} columns)` : shown;
}

/**
 * Size columns: the explicit list, or every column strictly between the two markers.
 * Never an empty list: the prior system silently found zero sizes when a marker moved.
 */
export function resolveSizeColumns(staging: Settings['staging'], columns: string[]): string[] {
  const table = staging.table;
  if (staging.size_columns.length > 0) {
    const missing = staging.size_columns.filter((c) => !columns.includes(c));
    if (missing.length) {
      throw new ConfigError(`staging table "${table}" lacks size column(s) ${missing.map((c) => `"${c}"`).join(', ')} (staging.size_columns); columns seen: ${seen(columns)}`);
    }
    return staging.size_columns;
  }
  const { start_after: start, end_before: end } = staging.size_markers;
  const i = columns.indexOf(start);
  const j = columns.indexOf(end);
  const absent = [i < 0 ? `"${start}" (size_markers.start_after)` : '', j < 0 ? `"${end}" (size_markers.end_before)` : ''].filter(Boolean);
  if (absent.length) {
    throw new ConfigError(`staging table "${table}" has no marker column ${absent.join(' and ')}; columns seen: ${seen(columns)}`);
  }
  if (j <= i) {
    throw new ConfigError(`staging table "${table}": marker "${end}" (position ${j + 1}) comes before "${start}" (position ${i + 1}); the size columns must sit between them`);
  }
  const sizes = columns.slice(i + 1, j);
  if (sizes.length === 0) {
    throw new ConfigError(`staging table "${table}": no size columns between "${start}" and "${end}" (positions ${i + 1} and ${j + 1})`);
  }
  return sizes;
}

/** Every column the merge reads must exist; a missing one is named, with where it was configured. */
export function checkRequiredColumns(s: Settings, columns: string[]): void {
  const have = new Set(columns);
  const wanted: Array<[string, string]> = [
    ...s.staging.key_columns.map((c): [string, string] => [c, 'staging.key_columns']),
    [s.staging.order_type_column, 'staging.order_type_column'],
    [s.staging.customer_column, 'staging.customer_column'],
    ...Object.keys(s.mapping.columns)
      .filter((c) => !c.startsWith('@'))
      .map((c): [string, string] => [c, 'mapping.columns']),
    ...nameRuleColumns(s.mapping.group_name).map((c): [string, string] => [c, 'mapping.group_name']),
    ...nameRuleColumns(s.mapping.item_name).map((c): [string, string] => [c, 'mapping.item_name']),
  ];
  const missing = wanted.filter(([c]) => !have.has(c));
  if (missing.length) {
    const list = [...new Map(missing).entries()].map(([c, where]) => `"${c}" (${where})`).join(', ');
    throw new ConfigError(`staging table "${s.staging.table}" is missing column(s) ${list}`);
  }
}
