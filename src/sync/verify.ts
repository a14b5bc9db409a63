import { subitemColumnIds, ownerOf, readBackColumns, type Settings, type BoardKey } from '../config/index.js';
import type { Db } from '../db/index.js';
import { formatValue, type BoardSnapshot, type SnapshotColumn, type MondayItem, type FormattedValue } from '../monday/index.js';
import { applyDriftRepairs, recordBoardValues, type DriftRepair } from '../queue/index.js';
import { columnNumber, columnText, itemKey, itemsByKey } from './board-match.js';
import { columnSources, desiredGroup, type SyncedOrder } from './desired.js';

/**
 * Drift: what the board shows against what each order row says was last synced. The rows
 * compared are the SYNCED ones (a PENDING row's board state is expected to differ until the
 * next run), but an item or subitem any row holds is never one "no order has"; each finding
 * names the order, and the repair re-queues exactly the rows that the normal sync path must rewrite.
 */
export const DRIFT_KINDS = [
  'item_missing',
  'wrong_group',
  'column_changed',
  'name_changed',
  'subitem_missing',
  'subitem_wrong_parent',
  'subitem_extra',
  'subitem_duplicated',
  'qty_changed',
  'unknown_item',
  'duplicate_item',
] as const;
export type DriftKind = (typeof DRIFT_KINDS)[number];

/** Findings that `verify --fix` repairs by re-queueing rows; the others need a person. */
export const REPAIRABLE: ReadonlySet<DriftKind> = new Set(['item_missing', 'wrong_group', 'column_changed', 'name_changed', 'subitem_missing', 'subitem_wrong_parent', 'qty_changed']);

export interface DriftFinding {
  kind: DriftKind;
  order_key: string | null;
  item_id: string | null;
  size?: string;
  subitem_id?: string;
  column_id?: string;
  column_title?: string;
  /** What ordersync last wrote (display text). */
  expected?: string;
  /** What the board shows now (display text), or the item's state when it is gone. */
  board?: string;
  /** wrong_group: the group the item is in now. */
  board_group_id?: string;
}

export interface VerifiedOrder {
  id: number;
  order_key: string;
  monday_item_id: string;
  monday_group_id: string | null;
  group_name: string;
  is_cancelled: number;
  synced_fields_json: string | null;
  board_values_json: string | null;
}

export interface VerifiedLine {
  id: number;
  order_id: number;
  size: string;
  monday_subitem_id: string;
  synced_qty: number | null;
}

export interface DriftInput {
  s: Settings;
  itemsBoard: BoardSnapshot;
  /** Where the business key is on the board (board-match.ts). */
  boardKey: BoardKey;
  orders: readonly VerifiedOrder[];
  lines: readonly VerifiedLine[];
  /** Active items read from the board (with their subitems). */
  items: readonly MondayItem[];
  /** State of items the orders point at that were not among the active ones ('archived', 'deleted'). */
  goneStates?: ReadonlyMap<string, string>;
  /** A full read: report board items no order knows and keys carried twice. */
  wholeBoard: boolean;
  /**
   * Ids the database holds on rows not compared (queued, in ERROR, skipped): their items and
   * subitems belong to orders, whatever the board shows of them until the next run.
   */
  known?: { items: ReadonlySet<string>; subitems: ReadonlySet<string> };
}

/** Compares rows with the board; pure, so every rule is tested without HTTP. */
export function findDrift(input: DriftInput): DriftFinding[] {
  const { s, itemsBoard, boardKey } = input;
  const out: DriftFinding[] = [];
  const byId = new Map(input.items.map((i) => [i.id, i]));
  const subitemParent = new Map<string, string>();
  for (const item of input.items) for (const sub of item.subitems ?? []) subitemParent.set(sub.id, item.id);
  const linesByOrder = new Map<number, VerifiedLine[]>();
  for (const l of input.lines) {
    const list = linesByOrder.get(l.order_id) ?? [];
    list.push(l);
    linesByOrder.set(l.order_id, list);
  }
  const columns = new Map(itemsBoard.columns.map((c) => [c.id, c]));
  const { size: sizeColumn, qty: qtyColumn } = subitemColumnIds(s);

  for (const o of input.orders) {
    const base = { order_key: o.order_key, item_id: o.monday_item_id };
    const item = byId.get(o.monday_item_id);
    if (!item) {
      out.push({ ...base, kind: 'item_missing', board: input.goneStates?.get(o.monday_item_id) ?? 'not found' });
      continue;
    }
    if (o.monday_group_id !== null && item.group?.id !== o.monday_group_id) {
      out.push({ ...base, kind: 'wrong_group', expected: desiredGroup({ s }, o), board: item.group?.title ?? '', board_group_id: item.group?.id });
    }
    const synced = o.synced_fields_json ? (JSON.parse(o.synced_fields_json) as SyncedOrder) : null;
    if (synced) {
      if (synced.name !== item.name) out.push({ ...base, kind: 'name_changed', expected: synced.name, board: item.name });
      for (const [columnId, value] of Object.entries(columnSources({ s }, synced))) {
        const column = columns.get(columnId);
        // A planner's value in a board-owned column is the truth, read back instead (readBackValues).
        if (!column || ownerOf(s, columnId) === 'board') continue;
        const formatted = formatValue(column, value, { longTextOverflow: s.mapping.long_text_overflow });
        if (!formatted.ok) continue;
        const board = columnText(item, columnId) ?? '';
        if (!sameText(column, boardText(column, formatted.value), board)) {
          out.push({ ...base, kind: 'column_changed', column_id: columnId, column_title: column.title, expected: boardText(column, formatted.value), board });
        }
      }
    }

    const subs = (item.subitems ?? []).filter((x) => x.state !== 'archived' && x.state !== 'deleted');
    const known = new Set<string>();
    for (const l of linesByOrder.get(o.id) ?? []) {
      known.add(l.monday_subitem_id);
      const line = { ...base, size: l.size, subitem_id: l.monday_subitem_id };
      const sub = subs.find((x) => x.id === l.monday_subitem_id);
      if (!sub) {
        const parent = subitemParent.get(l.monday_subitem_id);
        out.push(parent && parent !== o.monday_item_id ? { ...line, kind: 'subitem_wrong_parent', board: `under item ${parent}` } : { ...line, kind: 'subitem_missing' });
        continue;
      }
      const qty = columnNumber(sub, qtyColumn);
      if (l.synced_qty !== null && qty !== l.synced_qty) {
        out.push({ ...line, kind: 'qty_changed', expected: String(l.synced_qty), board: qty === null ? '' : String(qty) });
      }
    }
    const sizesOfLines = new Set((linesByOrder.get(o.id) ?? []).map((l) => l.size));
    for (const sub of subs) {
      if (known.has(sub.id) || input.known?.subitems.has(sub.id)) continue;
      const size = columnText(sub, sizeColumn) ?? '';
      out.push({ ...base, kind: sizesOfLines.has(size) ? 'subitem_duplicated' : 'subitem_extra', size, subitem_id: sub.id });
    }
  }

  if (input.wholeBoard) {
    // Keys are matched as reconcile and baseline match them (board-match.ts).
    const knownItems = new Set([...input.orders.map((o) => o.monday_item_id), ...(input.known?.items ?? [])]);
    const byKey = itemsByKey(boardKey, input.items, () => true);
    for (const [key, items] of byKey) {
      if (items.length > 1) out.push({ kind: 'duplicate_item', order_key: key, item_id: items.map((i) => i.id).join(', '), board: `${items.length} active items` });
    }
    for (const item of input.items) {
      const key = itemKey(boardKey, item);
      if (!knownItems.has(item.id) && !(key !== null && byKey.get(key)?.some((i) => knownItems.has(i.id)))) {
        out.push({ kind: 'unknown_item', order_key: key, item_id: item.id, board: item.name });
      }
    }
  }
  return out;
}

/** What monday displays for a value ordersync wrote (the `text` of the column value). */
export function boardText(column: SnapshotColumn, v: FormattedValue): string {
  if (v === null) return '';
  if (typeof v === 'string') return v;
  const o = v as Record<string, unknown>;
  if (typeof o.text === 'string' && column.type === 'long_text') return o.text;
  if (typeof o.date === 'string') return o.date;
  if (typeof o.label === 'string') return o.label;
  if (o.index !== undefined) return column.settings?.labels?.find((l) => String(l.id) === String(o.index))?.label ?? String(o.index);
  if (Array.isArray(o.labels)) return (o.labels as string[]).join(', ');
  if (o.checked !== undefined) return 'v';
  if (typeof o.url === 'string') return `${typeof o.text === 'string' ? o.text : o.url} - ${o.url}`;
  return JSON.stringify(v);
}

/** Labels compare case-insensitively (monday matches them so), numbers by value, dates by day. */
function sameText(column: SnapshotColumn, expected: string, board: string): boolean {
  const e = expected.trim();
  const b = board.trim();
  switch (column.type) {
    case 'numbers':
      return e === b || (e !== '' && b !== '' && Number(e) === Number(b));
    case 'date':
      return b.slice(0, 10) === e;
    case 'status':
    case 'dropdown':
      return e.toLowerCase() === b.toLowerCase();
    default:
      return e === b;
  }
}

export interface RequeueSummary {
  orders: number;
  lines: number;
}

/**
 * Puts back in the queue exactly what the findings say the board lost, so the next run's
 * ordinary path rewrites it (and journals it, so rollback can undo the repair): a missing item
 * is created again with all its subitems, a moved one is moved back, a changed column or name is
 * sent again, a missing or foreign subitem is recreated, a changed quantity is written again.
 */
export async function requeueDrift(db: Db, s: Settings, findings: readonly DriftFinding[], orders: readonly VerifiedOrder[], lines: readonly VerifiedLine[], now: string): Promise<RequeueSummary> {
  const { repairs, summary } = driftRepairs(s, findings, orders, lines);
  await db.kysely.transaction().execute((trx) => applyDriftRepairs(trx, repairs, now));
  return summary;
}

/** The rows to re-queue for the findings, as data (queue/repair.ts writes them). */
function driftRepairs(s: Settings, findings: readonly DriftFinding[], orders: readonly VerifiedOrder[], lines: readonly VerifiedLine[]): { repairs: DriftRepair[]; summary: RequeueSummary } {
  const orderByKey = new Map(orders.map((o) => [o.order_key, o]));
  const perOrder = new Map<number, DriftFinding[]>();
  for (const f of findings) {
    if (!REPAIRABLE.has(f.kind) || f.order_key === null) continue;
    const o = orderByKey.get(f.order_key);
    if (!o) continue;
    perOrder.set(o.id, [...(perOrder.get(o.id) ?? []), f]);
  }
  const repairs: DriftRepair[] = [];
  const summary = { orders: 0, lines: 0 };
  for (const [orderId, list] of perOrder) {
    const o = orders.find((x) => x.id === orderId) as VerifiedOrder;
    if (list.some((f) => f.kind === 'item_missing')) {
      repairs.push({ kind: 'recreate_item', orderId });
      summary.orders++;
      summary.lines += lines.filter((l) => l.order_id === orderId).length;
      continue;
    }
    const itemLevel = list.filter((f) => f.kind === 'wrong_group' || f.kind === 'column_changed' || f.kind === 'name_changed');
    if (itemLevel.length > 0) {
      const synced = JSON.parse(o.synced_fields_json ?? 'null') as SyncedOrder | null;
      if (synced) forgetSynced(s, synced, itemLevel);
      // The row records where the item is now, so the update moves it back and its journal
      // row says where it was (a rollback of the repair puts the planner's choice back).
      repairs.push({ kind: 'resend_item', orderId, synced_fields_json: synced ? JSON.stringify(synced) : null, ...moved(itemLevel) });
      summary.orders++;
    }
    for (const f of list) {
      if (f.kind !== 'subitem_missing' && f.kind !== 'subitem_wrong_parent' && f.kind !== 'qty_changed') continue;
      const line = lines.find((l) => l.order_id === orderId && l.size === f.size);
      if (!line) continue;
      repairs.push({ kind: 'resend_line', lineId: line.id, recreate: f.kind !== 'qty_changed' });
      summary.lines++;
    }
  }
  return { repairs, summary };
}

/**
 * Records on the row what the board shows in exactly the drifted fields, so the update path
 * (which sends only what changed) sends those and nothing else, and journals the planner's value
 * as the "before" that a rollback of the repair would put back.
 */
function forgetSynced(s: Settings, synced: SyncedOrder, findings: readonly DriftFinding[]): void {
  for (const f of findings) {
    if (f.kind === 'name_changed') synced.name = f.board ?? '';
    if (f.kind !== 'column_changed' || !f.column_id) continue;
    for (const [source, columnId] of Object.entries(s.mapping.columns)) {
      if (columnId === f.column_id) synced.fields[source] = f.board ?? null;
    }
    if (f.column_id === s.cancel.status_column_id) synced.cancelled = !synced.cancelled;
  }
}

function moved(findings: readonly DriftFinding[]): { monday_group_id?: string | null } {
  const f = findings.find((x) => x.kind === 'wrong_group');
  return f ? { monday_group_id: f.board_group_id ?? null } : {};
}

/** One order's read-back columns as the board shows them, where that differs from what the row holds. */
export interface ReadBack {
  order_id: number;
  order_key: string;
  values: Record<string, string | null>;
}

/**
 * The board's text of every board-owned and `[mapping.read_back]` column, per order whose item
 * was read, kept where it differs from the row's `board_values_json`; pure, like findDrift.
 */
export function readBackValues(s: Settings, orders: readonly VerifiedOrder[], items: readonly MondayItem[]): ReadBack[] {
  const columns = readBackColumns(s);
  if (columns.length === 0) return [];
  const byId = new Map(items.map((i) => [i.id, i]));
  const out: ReadBack[] = [];
  for (const o of orders) {
    const item = byId.get(o.monday_item_id);
    if (!item) continue;
    const values = Object.fromEntries(columns.map(({ name, columnId }) => [name, columnText(item, columnId) ?? null]));
    if (JSON.stringify(values) !== JSON.stringify(o.board_values_json ? JSON.parse(o.board_values_json) : null)) out.push({ order_id: o.id, order_key: o.order_key, values });
  }
  return out;
}

/** Writes the board's values of board-owned and read-back columns into the order rows (never queues a write to the board). */
export async function storeBoardValues(db: Db, readBack: readonly ReadBack[], now: string): Promise<void> {
  if (readBack.length === 0) return;
  await db.kysely.transaction().execute((trx) => recordBoardValues(trx, readBack.map((r) => ({ orderId: r.order_id, values: r.values })), now));
}
