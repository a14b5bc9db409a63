import type { Settings } from '../config/index.js';
import type { Db } from '../db/index.js';
import { decideOrder, diffLines, type ProjectedOrder, type ExistingLine } from '../merge/index.js';
import { ORDER_COLUMNS } from './desired.js';
import type { PlannedLineRow, PlannedOrderRow } from './planner.js';

const CHUNK = 500;

/**
 * The orders and lines a run's sync would read after this merge, without writing it: the rows
 * on record, with each order the dry-run merge reported as changed put through the merge's own
 * decisions (decideOrder, diffLines) and each vanished one through its vanished policy.
 */
export async function rowsAfterMerge(db: Db, s: Settings, changed: readonly ProjectedOrder[], vanished: readonly string[]): Promise<{ orders: PlannedOrderRow[]; lines: PlannedLineRow[] }> {
  const k = db.kysely;
  const byKey = new Map<string, PlannedOrderRow & { row_hash: string; lines_hash: string; in_staging: number; pending_since: string | null }>();
  const cols = [...ORDER_COLUMNS, 'sync_state', 'row_hash', 'lines_hash', 'in_staging', 'pending_since'] as const;
  const queued = await k
    .selectFrom('orders')
    .select(cols)
    .where((eb) => eb.or([eb('sync_state', '=', 'PENDING'), eb('id', 'in', eb.selectFrom('order_lines').select('order_id').where('sync_state', '=', 'PENDING'))]))
    .execute();
  for (const o of queued) byKey.set(o.order_key, o);
  const keys = [...new Set([...changed.map((p) => p.key), ...vanished])];
  for (let i = 0; i < keys.length; i += CHUNK) {
    for (const o of await k.selectFrom('orders').select(cols).where('order_key', 'in', keys.slice(i, i + CHUNK)).execute()) byKey.set(o.order_key, o);
  }
  const linesOf = new Map<number, Array<ExistingLine & { size_position: number; synced_qty: number | null; retry_count: number }>>();
  const ids = [...byKey.values()].map((o) => o.id);
  for (let i = 0; i < ids.length; i += CHUNK) {
    const rows = await k.selectFrom('order_lines').select(['id', 'order_id', 'size', 'size_position', 'qty', 'action', 'sync_state', 'monday_subitem_id', 'synced_qty', 'retry_count']).where('order_id', 'in', ids.slice(i, i + CHUNK)).execute();
    for (const l of rows) linesOf.set(l.order_id, [...(linesOf.get(l.order_id) ?? []), l]);
  }
  // Lines queued under orders that did not change (a stopped run, a retry) keep their state.
  const lines: PlannedLineRow[] = [];
  const orders: PlannedOrderRow[] = [];
  // Rows the merge would insert come after every row on record, in staging order, as their ids would.
  let nextId = 2 ** 52;

  for (const p of changed) {
    const e = byKey.get(p.key);
    const d = decideOrder(e, p, s.cancel.never_synced);
    if (!d) continue;
    const id = e?.id ?? nextId++;
    const row: PlannedOrderRow = {
      id,
      order_key: p.key,
      key_values: JSON.stringify(p.keyValues),
      fields_json: JSON.stringify(p.fields),
      synced_fields_json: e?.synced_fields_json ?? null,
      group_name: p.groupName,
      item_name: p.itemName,
      is_cancelled: p.cancelled ? 1 : 0,
      action: d.action,
      sync_state: d.state,
      monday_item_id: e?.monday_item_id ?? null,
      monday_group_id: e?.monday_group_id ?? null,
      retry_count: e?.retry_count ?? 0,
      customer: p.customer,
    };
    byKey.delete(p.key);
    orders.push(row);
    const existing = e ? (linesOf.get(e.id) ?? []) : [];
    const changes = diffLines(existing, p.lines, { orderSkipped: d.state === 'SKIPPED', cancelFlipped: d.outcome === 'cancelled' || d.outcome === 'reactivated' });
    const after = new Map(existing.map((l) => [l.id, { ...l }]));
    for (const c of changes) {
      if (c.kind === 'delete') after.delete(c.id);
      else if (c.kind === 'update') Object.assign(after.get(c.id) ?? {}, { qty: c.qty, action: c.action, sync_state: c.state });
      else after.set(nextId++, { id: 0, order_id: id, size: c.line.size, size_position: c.line.position, qty: c.line.qty, action: 'INSERT', sync_state: c.state === 'SKIPPED' ? 'SKIPPED' : 'PENDING', monday_subitem_id: null, synced_qty: null, retry_count: 0 });
    }
    for (const [lineId, l] of after) lines.push(lineRow({ ...l, id: lineId }, row));
  }

  for (const key of vanished) {
    const o = byKey.get(key);
    if (!o || o.in_staging !== 1) continue;
    const archive = s.staging.vanished_policy === 'archive' && o.monday_item_id !== null;
    const drop = s.staging.vanished_policy === 'archive' && o.monday_item_id === null && o.sync_state !== 'IN_FLIGHT';
    if (archive) Object.assign(o, { action: 'ARCHIVE', sync_state: o.sync_state === 'IN_FLIGHT' ? 'IN_FLIGHT' : 'PENDING' });
    else if (drop) Object.assign(o, { action: 'NONE', sync_state: 'SKIPPED' });
  }
  for (const o of byKey.values()) {
    orders.push(o);
    for (const l of linesOf.get(o.id) ?? []) lines.push(lineRow(l, o));
  }
  return { orders, lines };
}

function lineRow(l: ExistingLine & { size_position: number; synced_qty: number | null; retry_count: number }, o: PlannedOrderRow): PlannedLineRow {
  return {
    id: l.id,
    order_id: o.id,
    size: l.size,
    size_position: l.size_position,
    qty: l.qty,
    synced_qty: l.synced_qty,
    action: l.action,
    monday_subitem_id: l.monday_subitem_id,
    retry_count: l.retry_count,
    order_key: o.order_key,
    parent_id: o.monday_item_id,
    is_cancelled: o.is_cancelled,
    sync_state: l.sync_state,
  };
}
