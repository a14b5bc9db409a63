import { dropLines, moveLines, moveOrders, OUT_OF_FLIGHT, type K } from './move.js';

/**
 * What a request monday answered does to its row, decided by the sync as data and written
 * here: the item or subitem now shows what the row holds.
 */
export type RowEffect =
  | { kind: 'item_synced'; id: number; synced_fields_json: string | null; monday_item_id?: string; monday_group_id?: string }
  | { kind: 'subitem_synced'; id: number; monday_subitem_id: string; synced_qty: number }
  | { kind: 'subitem_removed'; id: number };

const CLEARED = { retry_count: 0, last_error_code: null, last_error: null, ...OUT_OF_FLIGHT };

export async function applyEffect(k: K, e: RowEffect, runId: number, now: string): Promise<void> {
  switch (e.kind) {
    case 'item_synced': {
      const { kind: _kind, id, ...cols } = e;
      await moveOrders(k, 'markSynced', [id], { ...cols, ...CLEARED, action: 'NONE', synced_at: now, last_error_column: null, last_error_value: null, pending_since: null, last_run_id: runId });
      return;
    }
    case 'subitem_synced':
      await moveLines(k, 'markSynced', { ids: [e.id] }, { monday_subitem_id: e.monday_subitem_id, synced_qty: e.synced_qty, ...CLEARED, action: 'NONE', synced_at: now, last_run_id: runId });
      return;
    case 'subitem_removed':
      await dropLines(k, 'removed', { ids: [e.id] });
  }
}

/** Orders with nothing to send: the board already shows them. */
export async function markOrdersUnchanged(k: K, ids: readonly number[], runId: number, now: string): Promise<void> {
  await moveOrders(k, 'markUnchanged', ids, { action: 'NONE', pending_since: null, synced_at: now, last_run_id: runId });
}

/** Lines whose subitem already shows their quantity. */
export async function markLinesUnchanged(k: K, ids: readonly number[], runId: number, now: string): Promise<void> {
  await moveLines(k, 'markUnchanged', { ids }, { action: 'NONE', synced_at: now, last_run_id: runId });
}

/** A line whose subitem is under another item forgets it, taking its own item's free subitem of that size (and the quantity it shows) if there is one. */
export async function detachSubitem(k: K, id: number, take: string | null, shownQty: number | null, now: string): Promise<void> {
  await moveLines(k, 'detach', { ids: [id] }, { monday_subitem_id: take, synced_qty: shownQty, updated_at: now });
}

/** A removal whose subitem is under another item: nothing of this order is left to remove. */
export async function dropDetached(k: K, id: number): Promise<void> {
  await dropLines(k, 'dropDetached', { ids: [id] });
}
