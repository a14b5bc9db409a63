import { dropLines, moveLines, moveOrders, OUT_OF_FLIGHT, type K } from './move.js';

export type RowTable = 'orders' | 'order_lines';
export interface RowIds {
  orders: readonly number[];
  lines: readonly number[];
}

/** Why one row failed, as the sync worked it out from monday's answer or the row's values. */
export interface RowFailure {
  code: string;
  message: string;
  column: string | null;
  value: string | null;
  /** Data or request errors that resending cannot fix go straight to ERROR. */
  permanent: boolean;
}

/** Rows about to be sent, with the request's Idempotency-Key, committed before it leaves. */
export async function markInFlight(k: K, ids: RowIds, key: string, now: string): Promise<void> {
  const mark = { idempotency_key: key, in_flight_since: now };
  await moveOrders(k, 'markInFlight', ids.orders, mark);
  await moveLines(k, 'markInFlight', { ids: ids.lines }, mark);
}

/** Back to the queue with nothing learnt (a lost answer not found on the board, a request refused for now). */
export async function requeue(k: K, table: RowTable, ids: readonly number[], error?: Pick<RowFailure, 'code' | 'message'>): Promise<void> {
  const cols = { ...OUT_OF_FLIGHT, ...(error ? { last_error_code: error.code, last_error: error.message } : {}) };
  if (table === 'orders') await moveOrders(k, 'requeue', ids, cols);
  else await moveLines(k, 'requeue', { ids }, cols);
}

/** Reconcile found nothing for a line; one whose subitem was foreign forgets it. */
export async function requeueLine(k: K, id: number, forget: boolean): Promise<void> {
  await moveLines(k, 'requeue', { ids: [id] }, { ...OUT_OF_FLIGHT, ...(forget ? { monday_subitem_id: null, synced_qty: null } : {}) });
}

/** A refused row: ERROR past the retry limit (or at once when permanent), else queued again. */
export async function recordFailure(k: K, table: RowTable, row: { id: number; retryCount: number }, f: RowFailure, limit: number): Promise<void> {
  const attempts = row.retryCount + 1;
  const name = f.permanent || attempts >= limit ? 'fail' : 'retryLater';
  const cols = { ...OUT_OF_FLIGHT, retry_count: attempts, last_error_code: f.code, last_error: f.message.slice(0, 2000) };
  // Orders also keep the offending column and value, so status and reports can show them.
  if (table === 'orders') await moveOrders(k, name, [row.id], { ...cols, last_error_column: f.column, last_error_value: f.value });
  else await moveLines(k, name, { ids: [row.id] }, cols);
}

/**
 * An update whose item monday says is deleted: the order forgets the dead id and is queued as a
 * create, so the next run puts it back on the board through the journaled create path (as
 * `verify --fix` does for a missing item). Its lines go with it: a size staging no longer has
 * (qty 0) only had a subitem to show the zero and goes, as merge drops such a line; the others
 * are created under the new item.
 */
/**
 * An archive whose item a planner had already deleted: the goal (the item off the board) is
 * met without us, so the order settles as archived and forgets the dead id. Its lines keep
 * their rows, as an archived order's do; their subitems went with the item.
 */
export async function forgetArchivedGone(k: K, id: number, runId: number, now: string): Promise<void> {
  await moveOrders(k, 'archivedGone', [id], { ...OUT_OF_FLIGHT, retry_count: 0, last_error_code: null, last_error: null, last_error_column: null, last_error_value: null, action: 'NONE', synced_at: now, pending_since: null, last_run_id: runId, monday_item_id: null, monday_group_id: null });
}

export async function requeueGoneItem(k: K, id: number, f: Pick<RowFailure, 'code' | 'message'>, now: string): Promise<void> {
  await moveOrders(k, 'itemGone', [id], { ...OUT_OF_FLIGHT, retry_count: 0, last_error_code: f.code, last_error: f.message.slice(0, 2000), synced_at: null, updated_at: now, pending_since: now, action: 'INSERT', monday_item_id: null, monday_group_id: null, synced_fields_json: null });
  await dropLines(k, 'dropWithGoneItem', { orderId: id }, { qty: 0 });
  await moveLines(k, 'withGoneItem', { orderId: id }, { retry_count: 0, synced_at: null, updated_at: now, action: 'INSERT', monday_subitem_id: null, synced_qty: null });
}
