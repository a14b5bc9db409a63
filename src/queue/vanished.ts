import type { SyncState } from '../db/index.js';
import { moveOrders, type K } from './move.js';

/** An order on record that this load no longer has, and what the vanished policy makes of it. */
export interface VanishedOrder {
  id: number;
  sync_state: SyncState;
  /** archive: queue the item's archive; skip: it never reached the board, so nothing to do; keep: leave it. */
  fate: 'archive' | 'skip' | 'keep';
}

/**
 * The merge's writes for vanished orders. A row mid-request keeps its state (the answer decides it); the
 * archive is queued behind it.
 */
export async function markVanished(k: K, orders: readonly VanishedOrder[], now: string): Promise<void> {
  const ids = (fate: VanishedOrder['fate'], inFlight: boolean) => orders.filter((o) => o.fate === fate && (o.sync_state === 'IN_FLIGHT') === inFlight).map((o) => o.id);
  await moveOrders(k, 'mergeChange', ids('archive', false), { in_staging: 0, action: 'ARCHIVE', pending_since: now, updated_at: now });
  await moveOrders(k, 'mergeSkip', ids('skip', false), { in_staging: 0, action: 'NONE', pending_since: null, updated_at: now });
  // Not a state change: the row only leaves staging (and, in flight, learns its next action).
  const stay = [...ids('keep', false), ...ids('keep', true)];
  for (let i = 0; i < stay.length; i += 500) await k.updateTable('orders').set({ in_staging: 0, updated_at: now }).where('id', 'in', stay.slice(i, i + 500)).execute();
  const flying = ids('archive', true);
  for (let i = 0; i < flying.length; i += 500) await k.updateTable('orders').set({ in_staging: 0, action: 'ARCHIVE', pending_since: now, updated_at: now }).where('id', 'in', flying.slice(i, i + 500)).execute();
}
