import type { MondayItem } from '../monday/index.js';
import { columnNumber, keyColumns, subitemsBySize } from './board-match.js';
import type { SyncContext } from './context.js';
import { adoptItem, adoptSubitem, confirmArchived, dropDetached, requeue, requeueLine } from '../queue/index.js';
import { journal, type SyncEvent } from '../queue/journal.js';

/**
 * Rows left IN_FLIGHT by a crash or a lost response. monday may or may not have applied
 * the request, so the board is asked: an item carrying the order's whole business key
 * (never found by name, see board-match.ts) is adopted; a subitem is found under its parent by its size column. Whatever is
 * not found goes back to PENDING. Only after this is anything sent again.
 */
export async function reconcileInFlight(ctx: SyncContext, only?: { orders: number[]; lines: number[] }): Promise<void> {
  await reconcileOrders(ctx, only?.orders);
  await reconcileLines(ctx, only?.lines);
}

async function reconcileOrders(ctx: SyncContext, only?: number[]): Promise<void> {
  if (only && only.length === 0) return;
  let q = ctx.db.kysely
    .selectFrom('orders')
    .select(['id', 'order_key', 'key_values', 'action', 'monday_item_id', 'synced_fields_json'])
    .where('sync_state', '=', 'IN_FLIGHT');
  if (only) q = q.where('id', 'in', only);
  const rows = await q.execute();
  if (rows.length === 0) return;
  const board = ctx.itemsBoard.board_id;
  const bk = ctx.boardKey;

  // An archived item counts: it may be the archive the lost request asked for.
  const byKey = await ctx.board.itemsByKey(board, bk, rows, { keep: (it) => it.state !== 'deleted', read: { columnIds: keyColumns(bk) }, beforeChunk: (keys) => ctx.touching(keys) });

  const now = ctx.now();
  await ctx.db.kysely.transaction().execute(async (trx) => {
    const events: SyncEvent[] = [];
    for (const r of rows) {
      const item = byKey.get(r.order_key)?.[0];
      if (item && r.monday_item_id === null) {
        // Created by the lost request: adopt it, and re-send every value to be sure of them.
        await adoptItem(trx, r.id, { monday_item_id: item.id, monday_group_id: item.group?.id ?? null, action: r.action === 'INSERT' ? 'UPDATE' : r.action });
        ctx.counts.adopted_items++;
        events.push({ order_key: r.order_key, operation: 'adopt_item', outcome: 'ADOPTED', board_id: board, monday_id: item.id, before: null, after: { adopted: true } });
      } else if (item && r.action === 'ARCHIVE' && item.state === 'archived') {
        await confirmArchived(trx, r.id, now);
      } else {
        await requeue(trx, 'orders', [r.id]);
        ctx.counts.requeued++;
      }
    }
    await journal(trx, ctx.runId, events, now);
  });
}

async function reconcileLines(ctx: SyncContext, only?: number[]): Promise<void> {
  if (only && only.length === 0) return;
  let q = ctx.db.kysely
    .selectFrom('order_lines as l')
    .innerJoin('orders as o', 'o.id', 'l.order_id')
    .select(['l.id', 'l.size', 'l.action', 'l.monday_subitem_id', 'o.order_key', 'o.monday_item_id as parent_id'])
    .where('l.sync_state', '=', 'IN_FLIGHT');
  if (only) q = q.where('l.id', 'in', only);
  const rows = await q.execute();
  if (rows.length === 0) return;
  const { size: sizeCol, qty: qtyCol } = ctx.subitemColumns;
  const subitems = await subitemsUnder(ctx, rows.map((r) => r.parent_id).filter((p): p is string => p !== null));

  const now = ctx.now();
  await ctx.db.kysely.transaction().execute(async (trx) => {
    const events: SyncEvent[] = [];
    for (const r of rows) {
      const under = r.parent_id ? subitems.get(r.parent_id) : undefined;
      const match = subitemsBySize(under ?? [], sizeCol).get(r.size);
      // A subitem id that is not under the order's item (a board that lost writes and reused
      // ids) is never written through: the line forgets it and is matched or created again.
      const foreign = r.monday_subitem_id !== null && under !== undefined && !under.some((sub) => sub.id === r.monday_subitem_id && sub.state !== 'deleted');
      if (foreign) {
        ctx.counts.subitems_detached++;
        events.push({ order_key: r.order_key, size: r.size, operation: 'detach_subitem', outcome: 'SKIPPED', board_id: ctx.subitemsBoard.board_id, monday_id: r.monday_subitem_id, before: { subitem_id: r.monday_subitem_id, parent_id: r.parent_id }, after: { reason: `subitem ${r.monday_subitem_id} is not under item ${r.parent_id}: left untouched` } });
      }
      if (foreign && r.action === 'DELETE' && ctx.s.mapping.line_delete_policy !== 'zero') {
        // It was only to be removed, and nothing of this order is left to remove.
        await dropDetached(trx, r.id);
      } else if (match && (r.monday_subitem_id === null || foreign)) {
        await adoptSubitem(trx, r.id, { monday_subitem_id: match.id, synced_qty: columnNumber(match, qtyCol) });
        ctx.counts.adopted_subitems++;
        events.push({ order_key: r.order_key, size: r.size, operation: 'adopt_subitem', outcome: 'ADOPTED', board_id: ctx.subitemsBoard.board_id, monday_id: match.id, before: null, after: { adopted: true } });
      } else {
        // A removal whose subitem is gone already, or anything not found: queue it again.
        await requeueLine(trx, r.id, foreign);
        ctx.counts.requeued++;
      }
    }
    await journal(trx, ctx.runId, events, now);
  });
}

/** The subitems under each of these items as the board has them now (sizes and quantities read), by item id. */
export async function subitemsUnder(ctx: SyncContext, itemIds: readonly string[]): Promise<Map<string, MondayItem[]>> {
  const ids = [...new Set(itemIds)];
  if (ids.length === 0) return new Map();
  return ctx.board.subitemsOf(ids, { columnIds: keyColumns(ctx.boardKey), subitemColumnIds: [ctx.subitemColumns.size, ctx.subitemColumns.qty] });
}
