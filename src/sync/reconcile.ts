import type { MondayItem } from '../monday/client.js';
import { columnNumber, itemsByKey, keyColumns, keySearch, subitemsBySize } from './board-match.js';
import type { SyncContext } from './context.js';
import { eventRow } from './journal.js';

const LOOKUP_CHUNK = 50;

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

  const found = new Map<string, MondayItem>();
  for (let i = 0; i < rows.length; i += LOOKUP_CHUNK) {
    const chunk = rows.slice(i, i + LOOKUP_CHUNK);
    ctx.touching(chunk.map((r) => r.order_key));
    const search = chunk.map((r) => keySearch(bk, r));
    const items = await ctx.client.findItemsByColumnValues(board, [{ column_id: search[0]?.columnId ?? '', column_values: [...new Set(search.map((x) => x.value))] }], {
      columnIds: keyColumns(bk),
    });
    for (const [key, list] of itemsByKey(bk, items, (it) => it.state !== 'deleted')) {
      const oldest = list[0] as MondayItem;
      const known = found.get(key);
      if (!known || BigInt(oldest.id) < BigInt(known.id)) found.set(key, oldest);
    }
  }

  const now = ctx.now();
  await ctx.db.kysely.transaction().execute(async (trx) => {
    const events = [];
    for (const r of rows) {
      const item = found.get(r.order_key);
      const requeue = { sync_state: 'PENDING' as const, idempotency_key: null, in_flight_since: null };
      if (item && r.monday_item_id === null) {
        // Created by the lost request: adopt it, and re-send every value to be sure of them.
        await trx
          .updateTable('orders')
          .set({ ...requeue, monday_item_id: item.id, monday_group_id: item.group?.id ?? null, synced_fields_json: null, action: r.action === 'INSERT' ? 'UPDATE' : r.action })
          .where('id', '=', r.id)
          .execute();
        ctx.counts.adopted_items++;
        events.push(eventRow(ctx.runId, { order_key: r.order_key, operation: 'adopt_item', outcome: 'ADOPTED', board_id: board, monday_id: item.id, before: null, after: { adopted: true } }, now));
      } else if (item && r.action === 'ARCHIVE' && item.state === 'archived') {
        await trx.updateTable('orders').set({ ...requeue, sync_state: 'SYNCED', action: 'NONE', synced_at: now }).where('id', '=', r.id).execute();
      } else {
        await trx.updateTable('orders').set(requeue).where('id', '=', r.id).execute();
        ctx.counts.requeued++;
      }
    }
    if (events.length) await trx.insertInto('sync_events').values(events).execute();
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
  const parents = [...new Set(rows.map((r) => r.parent_id).filter((p): p is string => p !== null))];
  const subitems = new Map<string, MondayItem[]>();
  for (let i = 0; i < parents.length; i += LOOKUP_CHUNK) {
    const items = await ctx.client.itemsByIds(parents.slice(i, i + LOOKUP_CHUNK), {
      columnIds: keyColumns(ctx.boardKey),
      withSubitems: true,
      subitemColumnIds: [sizeCol, qtyCol],
    });
    for (const it of items) subitems.set(it.id, it.subitems ?? []);
  }

  const now = ctx.now();
  await ctx.db.kysely.transaction().execute(async (trx) => {
    const events = [];
    for (const r of rows) {
      const requeue = { sync_state: 'PENDING' as const, idempotency_key: null, in_flight_since: null };
      const under = r.parent_id ? subitems.get(r.parent_id) : undefined;
      const match = subitemsBySize(under ?? [], sizeCol).get(r.size);
      // A subitem id that is not under the order's item (a board that lost writes and reused
      // ids) is never written through: the line forgets it and is matched or created again.
      const foreign = r.monday_subitem_id !== null && under !== undefined && !under.some((sub) => sub.id === r.monday_subitem_id && sub.state !== 'deleted');
      if (foreign) {
        ctx.counts.subitems_detached++;
        events.push(eventRow(ctx.runId, { order_key: r.order_key, size: r.size, operation: 'detach_subitem', outcome: 'SKIPPED', board_id: ctx.subitemsBoard.board_id, monday_id: r.monday_subitem_id, before: { subitem_id: r.monday_subitem_id, parent_id: r.parent_id }, after: { reason: `subitem ${r.monday_subitem_id} is not under item ${r.parent_id}: left untouched` } }, now));
      }
      if (foreign && r.action === 'DELETE' && ctx.s.mapping.line_delete_policy !== 'zero') {
        // It was only to be removed, and nothing of this order is left to remove.
        await trx.deleteFrom('order_lines').where('id', '=', r.id).execute();
      } else if (match && (r.monday_subitem_id === null || foreign)) {
        await trx
          .updateTable('order_lines')
          .set({ ...requeue, monday_subitem_id: match.id, synced_qty: columnNumber(match, qtyCol) })
          .where('id', '=', r.id)
          .execute();
        ctx.counts.adopted_subitems++;
        events.push(eventRow(ctx.runId, { order_key: r.order_key, size: r.size, operation: 'adopt_subitem', outcome: 'ADOPTED', board_id: ctx.subitemsBoard.board_id, monday_id: match.id, before: null, after: { adopted: true } }, now));
      } else {
        // A removal whose subitem is gone already, or anything not found: queue it again.
        await trx.updateTable('order_lines').set(foreign ? { ...requeue, monday_subitem_id: null, synced_qty: null } : requeue).where('id', '=', r.id).execute();
        ctx.counts.requeued++;
      }
    }
    if (events.length) await trx.insertInto('sync_events').values(events).execute();
  });
}
