import type { OrderAction } from '../db/index.js';
import { moveLines, moveOrders, OUT_OF_FLIGHT, type K } from './move.js';

/** Reconcile found the item a lost request created: adopt it, and re-send every value to be sure of them. */
export async function adoptItem(k: K, id: number, item: { monday_item_id: string; monday_group_id: string | null; action: OrderAction }): Promise<void> {
  await moveOrders(k, 'adopt', [id], { ...OUT_OF_FLIGHT, ...item, synced_fields_json: null });
}

/** Reconcile found the archive a lost request asked for already done. */
export async function confirmArchived(k: K, id: number, now: string): Promise<void> {
  await moveOrders(k, 'confirmArchived', [id], { ...OUT_OF_FLIGHT, action: 'NONE', synced_at: now });
}

/** Reconcile found the line's subitem under its item (or a replacement for a foreign one). */
export async function adoptSubitem(k: K, id: number, subitem: { monday_subitem_id: string; synced_qty: number | null }): Promise<void> {
  await moveLines(k, 'adopt', { ids: [id] }, { ...OUT_OF_FLIGHT, ...subitem });
}

/** Baseline: the prior system's item, SYNCED when it already shows staging, else queued with the board's values as "last synced". */
export async function adoptBaselineItem(
  k: K,
  id: number,
  item: { monday_item_id: string; monday_group_id: string | null; synced_fields_json: string; action: OrderAction },
  identical: boolean,
  runId: number,
  now: string,
): Promise<void> {
  await moveOrders(k, identical ? 'adoptBaseline' : 'adoptBaselineChanged', [id], { ...item, ...adopted(identical, runId, now), pending_since: identical ? null : now });
}

export async function adoptBaselineLine(k: K, id: number, sub: { monday_subitem_id: string; synced_qty: number | null }, same: boolean, runId: number, now: string): Promise<void> {
  await moveLines(k, same ? 'adoptBaseline' : 'adoptBaselineChanged', { ids: [id] }, { ...sub, action: same ? 'NONE' : 'UPDATE', ...adopted(same, runId, now) });
}

function adopted(matches: boolean, runId: number, now: string) {
  return { synced_at: matches ? now : null, last_run_id: runId, retry_count: 0, updated_at: now };
}
