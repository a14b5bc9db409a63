import type { Finding, Settings } from '../config/index.js';
import { ConfigError } from '../errors.js';
import type { BoardSnapshot, SnapshotColumn } from './board-schema.js';
import { READ_ONLY_TYPES } from './values.js';
import { MONDAY_LIMITS } from './limits.js';

/**
 * What a staging column holds, as far as the database (or its name) tells. Text columns
 * (CSV-loaded staging is all text) can hold anything; their values are checked per row.
 */
export type SourceKind = 'date' | 'number';

/**
 * Which monday column types can hold which source kinds. A date onto a dropdown (the prior
 * system's production bug) or text onto a numbers column is refused.
 */
const ACCEPTS: Record<SourceKind, ReadonlySet<string>> = {
  date: new Set(['date', 'text', 'long_text']),
  number: new Set(['numbers', 'text', 'long_text', 'status', 'dropdown']),
};

export interface BoardCheckInput {
  env: string;
  s: Settings;
  items: BoardSnapshot;
  subitems: BoardSnapshot;
  /** Kind of each staging column, when known. */
  sourceKinds?: Map<string, SourceKind>;
  /** Distinct staged values of mapped dropdown/status columns, when the database is reachable. */
  stagedValues?: Map<string, string[]>;
}

/** SPEC §3 board-aware checks, offline against snapshots (or live boards with --online). */
export function boardChecks(x: BoardCheckInput): Finding[] {
  const { env, s, items, subitems } = x;
  const out: Finding[] = [];
  const err = (key: string, message: string) => out.push({ level: 'error', env, key, message });
  const warn = (key: string, message: string) => out.push({ level: 'warn', env, key, message });

  if (s.monday.items_board_id && items.board_id !== s.monday.items_board_id) {
    err('monday.items_board_id', `the items board snapshot is of board ${items.board_id} (${items.name}) but the environment syncs board ${s.monday.items_board_id}: a swapped board? Re-take it with \`ordersync board snapshot --env ${env}\``);
  }
  if (s.monday.subitems_board_id && subitems.board_id !== s.monday.subitems_board_id) {
    err('monday.subitems_board_id', `the subitems board snapshot is of board ${subitems.board_id} (${subitems.name}) but the environment uses board ${s.monday.subitems_board_id}`);
  }

  const itemCols = new Map(items.columns.map((c) => [c.id, c]));
  for (const [source, columnId] of Object.entries(s.mapping.columns)) {
    const key = `mapping.columns."${source}"`;
    const col = itemCols.get(columnId);
    if (!col) {
      err(key, `column ${columnId} does not exist on board ${items.board_id} (${items.name})`);
      continue;
    }
    if (READ_ONLY_TYPES.has(col.type)) {
      err(key, `column ${columnId} "${col.title}" is a ${col.type} column, which monday computes; it cannot be written`);
      continue;
    }
    const kind = x.sourceKinds?.get(source) ?? kindFromName(source);
    if (kind && !ACCEPTS[kind].has(col.type)) {
      err(key, `"${source}" holds ${kind === 'date' ? 'dates' : 'numbers'} but ${columnId} "${col.title}" is a ${col.type} column`);
    }
    if (col.type === 'dropdown' || col.type === 'status') labelFindings(s, key, `"${source}"`, col, x.stagedValues?.get(source) ?? [], out, env);
  }
  const keyCol = s.mapping.key_column_id;
  if (keyCol && !itemCols.has(keyCol)) err('mapping.key_column_id', `business-key column ${keyCol} does not exist on board ${items.board_id}`);
  const keyType = keyCol ? itemCols.get(keyCol)?.type : undefined;
  if (keyCol && keyType && keyType !== 'text' && !Object.values(s.mapping.columns).includes(keyCol)) {
    err('mapping.key_column_id', `business-key column ${keyCol} is a ${keyType} column; ordersync writes the whole key there, which needs a text column`);
  }
  const status = s.cancel.status_column_id;
  if (status) {
    const col = itemCols.get(status);
    if (!col) err('cancel.status_column_id', `column ${status} does not exist on board ${items.board_id}`);
    else if (col.type !== 'status' && col.type !== 'dropdown' && col.type !== 'text') err('cancel.status_column_id', `column ${status} "${col.title}" is a ${col.type} column; a status column is expected`);
    else if (col.type !== 'text') {
      const written = [s.cancel.status_label, ...(s.cancel.active_label ? [s.cancel.active_label] : [])];
      labelFindings(s, 'cancel.status_label', 'the cancellation labels', col, written, out, env);
    }
  }

  const subCols = new Map(subitems.columns.map((c) => [c.id, c]));
  // Unset ids are reported by the structural checks; here only set ones are looked up.
  const sizeId = s.mapping.size_column_id;
  const qtyId = s.mapping.qty_column_id;
  const size = sizeId === undefined ? undefined : subCols.get(sizeId);
  if (sizeId !== undefined && !size) err('mapping.size_column_id', `column ${sizeId} does not exist on subitems board ${subitems.board_id}`);
  else if (size && !['dropdown', 'text', 'status'].includes(size.type)) err('mapping.size_column_id', `column ${size.id} "${size.title}" is a ${size.type} column; sizes need dropdown, status or text`);
  const qty = qtyId === undefined ? undefined : subCols.get(qtyId);
  if (qtyId !== undefined && !qty) err('mapping.qty_column_id', `column ${qtyId} does not exist on subitems board ${subitems.board_id}`);
  else if (qty && qty.type !== 'numbers') err('mapping.qty_column_id', `column ${qty.id} "${qty.title}" is a ${qty.type} column; quantities need a numbers column`);
  if (size?.type === 'dropdown' && !(s.monday.create_labels.columns[size.id] ?? s.monday.create_labels.default)) {
    warn('mapping.size_column_id', `label creation is off for the size column ${size.id}: a size without a label fails its line`);
  }
  return out;
}

const { maxStatusLabels: MAX_STATUS_LABELS, maxStatusLabelLength: MAX_STATUS_LABEL_LENGTH } = MONDAY_LIMITS;

/**
 * Before the first run: the values a status/dropdown column will be sent that are not labels
 * on the board (compared case-insensitively, as the sync matches them). Without
 * `[monday.create_labels]` for the column they would fail their rows; with it, the first run
 * creates them, within the status limits.
 */
function labelFindings(s: Settings, key: string, what: string, col: SnapshotColumn, values: readonly string[], out: Finding[], env: string): void {
  const labels = col.settings?.labels ?? [];
  const known = new Set(labels.map((l) => l.label.toLowerCase()));
  const missing = [...new Map(values.filter((v) => !known.has(v.toLowerCase())).map((v) => [v.toLowerCase(), v])).values()];
  if (missing.length === 0) return;
  const list = (vs: string[]) => `${vs.slice(0, 8).map((v) => `"${v}"`).join(', ')}${vs.length > 8 ? `, … ${vs.length - 8} more` : ''}`;
  const at = `${col.id} "${col.title}"`;
  const allowed = s.monday.create_labels.columns[col.id] ?? s.monday.create_labels.default;
  if (!allowed) {
    out.push({
      level: 'error',
      env,
      key,
      rule: 'labels',
      message: `${missing.length} staged value(s) of ${what} are not labels of ${at} and label creation is off for it: ${list(missing)}; allow it with [monday.create_labels] columns = { "${col.id}" = true } or add the labels on the board`,
    });
    return;
  }
  if (col.type === 'status') {
    const tooLong = missing.filter((v) => v.length > MAX_STATUS_LABEL_LENGTH);
    if (tooLong.length > 0) {
      out.push({ level: 'error', env, key, message: `${tooLong.length} value(s) of ${what} are longer than monday's ${MAX_STATUS_LABEL_LENGTH} characters for a status label of ${at}, so they cannot be created: ${list(tooLong)}; map them to shorter values ([mapping.transforms] values) or use a dropdown or text column` });
    }
    const needed = missing.length - tooLong.length;
    if (labels.length + needed > MAX_STATUS_LABELS) {
      out.push({ level: 'error', env, key, message: `${at} has ${labels.length} labels and ${what} need(s) ${needed} more: monday allows ${MAX_STATUS_LABELS} per status column, so rows would fail once it is full; map the values to fewer labels or use a dropdown or text column` });
    }
  }
  out.push({ level: 'warn', env, key, message: `${missing.length} value(s) of ${what} are not labels of ${at} yet; the first run creates them ([monday.create_labels] allows it): ${list(missing)}` });
}

/**
 * A run reads the live boards before it sends anything; a mapping that does not fit them
 * (a column id that is not there, a computed column, a wrong type) stops it there, instead
 * of failing every row as if the data were wrong.
 */
export function assertMappingFits(env: string, s: Settings, items: BoardSnapshot, subitems: BoardSnapshot): void {
  const errors = boardChecks({ env, s, items, subitems }).filter((f) => f.level === 'error');
  if (errors.length === 0) return;
  throw new ConfigError(
    `the mapping of environment "${env}" does not fit the live boards, so the run sent nothing to monday: ${errors.map((f) => `${f.key}: ${f.message}`).join('; ')}. Fix the config (\`ordersync doctor --env ${env}\` checks it against the boards), then run again`,
  );
}

/** Without a typed column (CSV-loaded staging is all text), the name is the best evidence. */
export function kindFromName(column: string): SourceKind | undefined {
  return /\bDATE\b/i.test(column) ? 'date' : undefined;
}

/** Database column type → source kind. */
export function kindFromSqlType(type: string): SourceKind | undefined {
  const t = type.toLowerCase();
  if (/date|time/.test(t)) return 'date';
  if (/int|numeric|decimal|real|double|float/.test(t)) return 'number';
  return undefined;
}
