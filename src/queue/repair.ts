import { moveLines, moveOrders, type K } from './move.js';

/** `ordersync retry`: rows parked in ERROR get another chance, with their counters reset. */
export async function retryErrors(k: K, now: string): Promise<void> {
  await moveOrders(k, 'retryErrors', 'all', { retry_count: 0, pending_since: now });
  await moveLines(k, 'retryErrors', 'all', { retry_count: 0 });
}

/**
 * What `verify --fix` puts back in the queue, as the drift comparison decided it: an item the
 * board lost is created again with all its subitems; a drifted item is re-sent from what the
 * board shows now; a subitem is written again (recreated when it is gone).
 */
export type DriftRepair =
  | { kind: 'recreate_item'; orderId: number }
  | { kind: 'resend_item'; orderId: number; synced_fields_json: string | null; monday_group_id?: string | null }
  | { kind: 'resend_line'; lineId: number; recreate: boolean };

export async function applyDriftRepairs(k: K, repairs: readonly DriftRepair[], now: string): Promise<void> {
  const pending = { pending_since: now, updated_at: now, retry_count: 0 };
  for (const r of repairs) {
    if (r.kind === 'recreate_item') {
      await moveOrders(k, 'requeueDrift', [r.orderId], { ...pending, action: 'INSERT', monday_item_id: null, monday_group_id: null, synced_fields_json: null });
      await moveLines(k, 'requeueDrift', { orderId: r.orderId }, { monday_subitem_id: null, synced_qty: null, updated_at: now, retry_count: 0 });
    } else if (r.kind === 'resend_item') {
      const { kind: _kind, orderId, ...cols } = r;
      await moveOrders(k, 'requeueDrift', [orderId], { ...pending, action: 'UPDATE', ...cols });
    } else {
      await moveLines(k, 'requeueDrift', { ids: [r.lineId] }, { synced_qty: null, updated_at: now, retry_count: 0, ...(r.recreate ? { monday_subitem_id: null } : {}) });
    }
  }
}

/** The board's values of board-owned and read-back columns, kept on the order rows (no state change: nothing is queued). */
export async function recordBoardValues(k: K, rows: ReadonlyArray<{ orderId: number; values: unknown }>, now: string): Promise<void> {
  for (const r of rows) await k.updateTable('orders').set({ board_values_json: JSON.stringify(r.values), board_values_at: now }).where('id', '=', r.orderId).execute();
}
