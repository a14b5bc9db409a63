import type { Settings } from '../config/schema.js';
import { boardRowHash, type ValueFormatter } from './board-values.js';
import { canonicalJson, legacyRowHash, sha256, type FieldValue } from './hash.js';
import { applyNameRule, itemName as buildItemName, nameRuleColumns } from './names.js';
import { parseQuantity } from './quantity.js';
import type { RowSource } from '../ingest/source-columns.js';
import type { StagingRow } from './staging-reader.js';
import { applyColumnRule } from './transforms.js';
import { isBlank, normalizeValue } from './values.js';

export interface ProjectedLine {
  size: string;
  position: number;
  qty: number;
}

/** What one staging row means for the board, computed without touching the database. */
export interface ProjectedOrder {
  rowNumber: number;
  source?: RowSource;
  key: string;
  keyValues: string[];
  fields: Record<string, FieldValue>;
  customer: string | null;
  customerSeason: string | null;
  aagSeason: string | null;
  orderType: string | null;
  cancelled: boolean;
  groupName: string;
  itemName: string;
  lines: ProjectedLine[];
  totalQty: number;
  rowHash: string;
  /** The same order under the first hash definition (rows not re-hashed since migration 003). */
  legacyRowHash: string;
  linesHash: string;
  /** What was adjusted on the way to the board (a name cut), for the run's warnings. */
  warnings: string[];
}

/** A value the merge computes for a mapping source named `@…`. */
function derivedValue(source: string, o: { cancelled: boolean; lines: ProjectedLine[]; totalQty: number }): FieldValue | undefined {
  switch (source) {
    case '@total_qty':
      // As synced: a cancelled order's subitems show 0, so its total does too.
      return o.cancelled ? 0 : o.totalQty;
    case '@line_count':
      return o.lines.length;
    case '@state':
      return o.cancelled ? 'cancelled' : 'active';
    default:
      return undefined;
  }
}

export interface Rejection {
  /** Position in file order (what sorts rejections). */
  rowNumber: number;
  /** The file, row and line to look at; absent for a staging table ingest did not load. */
  source?: RowSource;
  key: string | null;
  reason: string;
}

export type Projection = { ok: true; order: ProjectedOrder } | { ok: false; rejection: Rejection };

export const KEY_SEPARATOR = ' | ';

/**
 * The order's key as one string: the value itself for a single key column; for a composite
 * key the values joined by " | ", with "\\" and "|" escaped so no two keys can collide.
 */
export function orderKey(values: string[]): string {
  if (values.length === 1) return values[0] as string;
  return values.map((v) => v.replaceAll('\\', '\\\\').replaceAll('|', '\\|')).join(KEY_SEPARATOR);
}

export interface Projector {
  project(row: StagingRow): Projection;
  keyOf(row: StagingRow): string | null;
}

function at(row: StagingRow): { source?: RowSource } {
  return row.source ? { source: row.source } : {};
}

export function projector(s: Settings, sizeColumns: string[], format?: ValueFormatter): Projector {
  const cancelled = new Set(s.staging.cancelled_values.map((v) => v.toLowerCase()));
  const mapped = Object.keys(s.mapping.columns);

  const keyOf = (row: StagingRow): string | null => {
    const values = s.staging.key_columns.map((c) => normalizeValue(row.values[c]));
    if (values.some(isBlank)) return null;
    return orderKey(values.map(String));
  };

  const project = (row: StagingRow): Projection => {
    const get = (c: string) => normalizeValue(row.values[c]);
    const keyValues = s.staging.key_columns.map(get);
    if (keyValues.every(isBlank) && Object.values(row.values).every((v) => isBlank(normalizeValue(v)))) {
      return { ok: false, rejection: { rowNumber: row.rowNumber, ...at(row), key: null, reason: 'blank row' } };
    }
    const emptyKey = s.staging.key_columns.filter((_, i) => isBlank(keyValues[i] ?? null));
    if (emptyKey.length) {
      return { ok: false, rejection: { rowNumber: row.rowNumber, ...at(row), key: null, reason: `empty key column ${emptyKey.map((c) => `"${c}"`).join(', ')}` } };
    }
    const key = orderKey(keyValues.map(String));

    const lines: ProjectedLine[] = [];
    const problems: string[] = [];
    sizeColumns.forEach((size, position) => {
      const q = parseQuantity(row.values[size]);
      if (!q.ok) problems.push(`column "${size}": ${q.reason}`);
      else if (q.qty > 0) lines.push({ size, position, qty: q.qty });
    });
    if (problems.length) {
      return { ok: false, rejection: { rowNumber: row.rowNumber, ...at(row), key, reason: problems.join('; ') } };
    }

    const orderType = get(s.staging.order_type_column);
    const isCancelled = orderType !== null && cancelled.has(String(orderType).toLowerCase());
    const totalQty = lines.reduce((n, l) => n + l.qty, 0);
    const fields: Record<string, FieldValue> = {};
    for (const c of mapped) {
      const derived = c.startsWith('@') ? derivedValue(c, { cancelled: isCancelled, lines, totalQty }) : undefined;
      if (derived !== undefined) fields[c] = derived;
      else if (!c.startsWith('@')) fields[c] = applyColumnRule(s.mapping.transforms[c], get(c));
    }
    const groupName = applyNameRule(s.mapping.group_name, get);
    const name = buildItemName(s.mapping.item_name, get, key);
    if (!name.ok) return { ok: false, rejection: { rowNumber: row.rowNumber, ...at(row), key, reason: name.reason } };
    const itemName = name.name;
    const warnings = name.cutFrom ? [`item name cut from ${name.cutFrom} to 255 characters (monday's limit): "${itemName}"`] : [];
    const text = (v: FieldValue) => (v === null ? null : String(v));
    return {
      ok: true,
      order: {
        rowNumber: row.rowNumber,
        ...at(row),
        key,
        keyValues: keyValues.map(String),
        fields,
        customer: text(get(s.staging.customer_column)),
        customerSeason: text(get(s.staging.customer_season_column)),
        aagSeason: text(get(s.staging.aag_season_column)),
        orderType: text(orderType),
        cancelled: isCancelled,
        groupName,
        itemName,
        lines,
        totalQty,
        rowHash: boardRowHash(s, format, { fields, itemName, groupName, cancelled: isCancelled }),
        legacyRowHash: legacyRowHash({ fields, groupName, itemName, cancelled: isCancelled }),
        linesHash: sha256(canonicalJson(lines.map((l) => [l.size, l.qty]))),
        warnings,
      },
    };
  };

  return { project, keyOf };
}

/** Columns the merge must read from staging. */
export function columnsToRead(s: Settings, sizeColumns: string[], all: string[]): string[] {
  const wanted = new Set<string>([
    ...s.staging.key_columns,
    s.staging.order_type_column,
    s.staging.customer_column,
    s.staging.customer_season_column,
    s.staging.aag_season_column,
    ...Object.keys(s.mapping.columns),
    ...nameRuleColumns(s.mapping.group_name),
    ...nameRuleColumns(s.mapping.item_name),
    ...sizeColumns,
  ]);
  return all.filter((c) => wanted.has(c));
}
