import type { RowIds } from './flight.js';
import { LINE_TRANSITIONS } from './transitions.js';
import { dropLines, moveLines, moveOrders, OUT_OF_FLIGHT, type K, type LineColumns, type OrderColumns } from './move.js';

/** Rollback's rows are marked before its request leaves, like the sync's: a kill leaves them IN_FLIGHT under the rollback's key. */
export async function rollbackInFlight(k: K, ids: RowIds, key: string, now: string): Promise<void> {
  const mark = { idempotency_key: key, in_flight_since: now };
  await moveOrders(k, 'rollbackInFlight', ids.orders, mark);
  await moveLines(k, 'rollbackInFlight', { ids: ids.lines }, mark);
}

/** monday refused a rollback step: the board is as it was, the rows go back to the queue for the next run to check. */
export async function rollbackRefused(k: K, ids: RowIds, now: string): Promise<void> {
  const back = { ...OUT_OF_FLIGHT, updated_at: now };
  if (ids.orders.length) {
    await moveOrders(k, 'rollbackRefused', ids.orders, { ...back, pending_since: now });
    // A row the run had synced has nothing queued: the next run compares it again.
    await k.updateTable('orders').set({ action: 'UPDATE' }).where('id', 'in', ids.orders).where('action', '=', 'NONE').execute();
  }
  await moveLines(k, 'rollbackRefused', { ids: ids.lines }, back);
}

const reset = (now: string) => ({ ...OUT_OF_FLIGHT, retry_count: 0, updated_at: now });

/** The item the run created is archived: the order is created again by the next run, with all its lines. */
export async function resetCreatedItem(k: K, orderId: number, now: string): Promise<void> {
  await moveOrders(k, 'resetForRollback', [orderId], { ...reset(now), pending_since: now, action: 'INSERT', monday_item_id: null, monday_group_id: null, synced_fields_json: null, synced_at: null });
  // A size staging no longer has (qty 0) only had a subitem to show the zero: with the item gone it goes too, as merge drops such a line.
  await dropLines(k, 'dropForRollback', { orderId }, { qty: 0 });
  await moveLines(k, 'resetForRollback', { orderId }, { ...reset(now), action: 'INSERT', monday_subitem_id: null, synced_qty: null, synced_at: null });
}

/** A subitem the run created or changed: the line is queued to be written again. */
export async function resetLine(k: K, orderId: number, size: string, cols: Pick<LineColumns, 'action' | 'monday_subitem_id' | 'synced_qty'>, now: string): Promise<void> {
  await moveLines(k, 'resetForRollback', { orderId, size }, { ...cols, ...reset(now), synced_at: null });
}

/** An item the run changed: its "last synced" values are the board's previous ones again. */
export async function resetUpdatedItem(k: K, orderId: number, cols: Pick<OrderColumns, 'action' | 'synced_fields_json' | 'monday_group_id'>, now: string): Promise<void> {
  await moveOrders(k, 'resetForRollback', [orderId], { ...reset(now), pending_since: now, synced_at: null, ...cols });
}

/** An item the run archived is active again (restored, or recreated as `itemId`): the next run archives it again; its lines point at its subitems. */
export async function restoreArchivedItem(k: K, orderId: number, itemId: string, subitems: ReadonlyMap<string, string>, now: string): Promise<void> {
  await moveOrders(k, 'restoreArchived', [orderId], { action: 'ARCHIVE', pending_since: now, retry_count: 0, monday_item_id: itemId, synced_at: null, updated_at: now });
  for (const [size, sub] of subitems) await moveLines(k, 'restoreArchived', { orderId, size }, { monday_subitem_id: sub, updated_at: now });
}

/** A subitem the run removed is back: its line returns as it was, to be removed by the next run. */
export async function restoreRemovedLine(k: K, line: { orderId: number; size: string; sizePosition: number; syncedQty: number | null; subitemId: string }, now: string): Promise<void> {
  await k
    .insertInto('order_lines')
    .values({ order_id: line.orderId, size: line.size, size_position: line.sizePosition, qty: 0, synced_qty: line.syncedQty, action: 'DELETE', sync_state: LINE_TRANSITIONS.restoreRemoved.to, monday_subitem_id: line.subitemId, ...OUT_OF_FLIGHT, last_error_code: null, last_error: null, synced_at: null, last_run_id: null, created_at: now, updated_at: now })
    .execute();
}
