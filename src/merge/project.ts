import type { Settings } from '../config/index.js';
import { boardRowHasher, type ValueFormatter } from './board-values.js';
import { sha256, type FieldValue } from './hash.js';
import { applyNameRule, itemName as buildItemName, nameRuleColumns } from './names.js';
import { parseQuantity } from './quantity.js';
import type { RowSource } from '../ingest/source-columns.js';
import type { StagingLayout } from './staging-reader.js';
import { applyColumnRule } from './transforms.js';
import { orderKey } from './order-key.js';
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

/**
 * A staging row projected: an order, a rejection, or a row with every column the merge reads
 * empty (a spreadsheet's blank line): no order and nothing wrong with it, so it is skipped and
 * counted, never rejected.
 */
export type Projection = { ok: true; order: ProjectedOrder } | { ok: false; rejection: Rejection } | { ok: false; blank: true };

export interface Projector {
  project(row: readonly unknown[], rowNumber: number, source: RowSource | undefined): Projection;
}

/** The order key of a staging row (null when a key column is empty), read by column index. */
export function keyReader(s: Settings, layout: StagingLayout): (row: readonly unknown[]) => string | null {
  const at = s.staging.key_columns.map((c) => layout.indexOf(c));
  if (at.length === 1) {
    const i = at[0] as number;
    return (row) => {
      const v = normalizeValue(row[i]);
      return isBlank(v) ? null : String(v);
    };
  }
  return (row) => {
    const values: string[] = [];
    for (const i of at) {
      const v = normalizeValue(row[i]);
      if (isBlank(v)) return null;
      values.push(String(v));
    }
    return orderKey(values);
  };
}

const place = (source: RowSource | undefined): { source?: RowSource } => (source ? { source } : {});

/**
 * The projection compiled once per merge against the columns a pass reads: every staging
 * column is found by its index in the row array, size columns that are empty are skipped
 * before any parsing, and both hashes are written straight from the values.
 */
export function projector(s: Settings, sizeColumns: string[], layout: StagingLayout, format?: ValueFormatter): Projector {
  const cancelled = new Set(s.staging.cancelled_values.map((v) => v.toLowerCase()));
  const columnAt = (c: string) => layout.indexOf(c);
  const keyAt = s.staging.key_columns.map(columnAt);
  const sizes = sizeColumns.map((size, position) => ({ size, position, at: columnAt(size), json: JSON.stringify(size) }));
  const mapped = Object.keys(s.mapping.columns).map((c) => ({
    source: c,
    derived: c.startsWith('@'),
    at: c.startsWith('@') ? -1 : columnAt(c),
    rule: s.mapping.transforms[c],
  }));
  const orderTypeAt = columnAt(s.staging.order_type_column);
  const customerAt = columnAt(s.staging.customer_column);
  const customerSeasonAt = columnAt(s.staging.customer_season_column);
  const aagSeasonAt = columnAt(s.staging.aag_season_column);
  const rowHash = boardRowHasher(s, format);
  const width = layout.width;

  const project = (row: readonly unknown[], rowNumber: number, source: RowSource | undefined): Projection => {
    const get = (c: string) => normalizeValue(row[columnAt(c)]);
    const keyValues = keyAt.map((i) => normalizeValue(row[i]));
    if (keyValues.some(isBlank)) {
      let blank = true;
      for (let i = 0; i < width && blank; i++) blank = isBlank(normalizeValue(row[i]));
      if (blank) return { ok: false, blank: true };
      const emptyKey = s.staging.key_columns.filter((_, i) => isBlank(keyValues[i] ?? null));
      return { ok: false, rejection: { rowNumber, ...place(source), key: null, reason: `empty key column ${emptyKey.map((c) => `"${c}"`).join(', ')}` } };
    }
    const key = orderKey(keyValues.map(String));

    const lines: ProjectedLine[] = [];
    let problems: string[] | undefined;
    let totalQty = 0;
    let linesJson = '';
    for (const z of sizes) {
      const raw = row[z.at];
      if (raw === null || raw === undefined || raw === '') continue;
      const q = parseQuantity(raw);
      if (!q.ok) (problems ??= []).push(`column "${z.size}": ${q.reason}`);
      else if (q.qty > 0) {
        lines.push({ size: z.size, position: z.position, qty: q.qty });
        totalQty += q.qty;
        linesJson += `${linesJson === '' ? '' : ','}[${z.json},${q.qty}]`;
      }
    }
    if (problems) return { ok: false, rejection: { rowNumber, ...place(source), key, reason: problems.join('; ') } };

    const orderType = normalizeValue(row[orderTypeAt]);
    const isCancelled = orderType !== null && cancelled.has(String(orderType).toLowerCase());
    const fields: Record<string, FieldValue> = {};
    for (const m of mapped) {
      if (!m.derived) fields[m.source] = applyColumnRule(m.rule, normalizeValue(row[m.at]));
      else {
        const derived = derivedValue(m.source, { cancelled: isCancelled, lines, totalQty });
        if (derived !== undefined) fields[m.source] = derived;
      }
    }
    const groupName = applyNameRule(s.mapping.group_name, get);
    const name = buildItemName(s.mapping.item_name, get, key);
    if (!name.ok) return { ok: false, rejection: { rowNumber, ...place(source), key, reason: name.reason } };
    const itemName = name.name;
    const warnings = name.cutFrom ? [`item name cut from ${name.cutFrom} to 255 characters (monday's limit): "${itemName}"`] : [];
    const text = (v: FieldValue) => (v === null ? null : String(v));
    return {
      ok: true,
      order: {
        rowNumber,
        ...place(source),
        key,
        keyValues: keyValues.map(String),
        fields,
        customer: text(normalizeValue(row[customerAt])),
        customerSeason: text(normalizeValue(row[customerSeasonAt])),
        aagSeason: text(normalizeValue(row[aagSeasonAt])),
        orderType: text(orderType),
        cancelled: isCancelled,
        groupName,
        itemName,
        lines,
        totalQty,
        rowHash: rowHash({ fields, itemName, groupName, cancelled: isCancelled }),
        linesHash: sha256(`[${linesJson}]`),
        warnings,
      },
    };
  };

  return { project };
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
