import type { MondayItem } from '../monday/index.js';
import { detachSubitem, dropDetached, markLinesUnchanged } from '../queue/index.js';
import { journal } from '../queue/journal.js';
import type { Stop } from './applier.js';
import { applyDecisions } from './batches.js';
import { columnNumber, subitemsBySize, targetQty } from './board-match.js';
import type { SyncContext } from './context.js';
import { planLine, type LineRow } from './plan-lines.js';
import { subitemsUnder } from './reconcile.js';

const PAGE = 1000;

/** Pending lines whose item exists on the board (within the canary's scope). */
function pendingLinesQuery(ctx: SyncContext) {
  let q = ctx.db.kysely
    .selectFrom('order_lines as l')
    .innerJoin('orders as o', 'o.id', 'l.order_id')
    .where('l.sync_state', '=', 'PENDING')
    .where('o.monday_item_id', 'is not', null)
    .where('o.sync_state', 'not in', ['SKIPPED', 'IN_FLIGHT']);
  if (ctx.scope.customer !== undefined) q = q.where('o.customer', '=', ctx.scope.customer);
  // A canary only touches the lines of orders that reached the board in this scope.
  if (ctx.scope.limit !== undefined) q = q.where('o.last_run_id', '=', ctx.runId);
  return q;
}

/** Those lines in id order, each visited once per run. */
async function* pendingLines(ctx: SyncContext): AsyncGenerator<LineRow[]> {
  let after = 0;
  for (;;) {
    const rows = (await pendingLinesQuery(ctx)
      .select([
        'l.id',
        'l.order_id',
        'l.size',
        'l.size_position',
        'l.qty',
        'l.synced_qty',
        'l.action',
        'l.monday_subitem_id',
        'l.retry_count',
        'o.order_key',
        'o.monday_item_id as parent_id',
        'o.is_cancelled',
      ])
      .where('l.id', '>', after)
      .orderBy('l.id')
      .limit(PAGE)
      .execute()) as LineRow[];
    if (rows.length === 0) return;
    after = rows[rows.length - 1]?.id ?? after;
    yield rows;
  }
}

/** The subitems phase: pending lines a page at a time, foreign subitem ids set aside, then the planner's units through the applier. */
export async function syncSubitems(ctx: SyncContext): Promise<Stop | undefined> {
  const counted = await pendingLinesQuery(ctx).select((eb) => eb.fn.countAll().as('n')).executeTakeFirst();
  const total = Number(counted?.n ?? 0);
  const progress = { done: 0, total };
  ctx.progress('subitems', 0, total);
  for await (const fetched of pendingLines(ctx)) {
    const page = await detachForeign(ctx, fetched);
    // Lines set aside here (and those needing no request) are done as far as this run goes.
    progress.done += fetched.length - page.length;
    const stop = await applyDecisions(ctx, 'subitems', page.map((l) => ({ row: l, decision: planLine(ctx, l) })), (rows) => markSettled(ctx, rows), progress);
    if (stop) return stop;
  }
  return undefined;
}

/**
 * A line's subitem id must be a subitem of the order's item: a board that lost writes (and
 * handed the id out again) can hold it under another order, and writing through it would change
 * that order's quantities. Before any write to an existing subitem, the parents are read; a line
 * whose subitem is not under its item is detached (journaled, nothing sent to that subitem) and
 * takes its item's unclaimed subitem of that size or gets a new one, or, when it was only to be
 * removed, is dropped.
 */
async function detachForeign(ctx: SyncContext, page: LineRow[]): Promise<LineRow[]> {
  const policy = ctx.s.mapping.line_delete_policy;
  const writes = page.filter((l) => l.monday_subitem_id !== null && ((l.action === 'DELETE' && policy !== 'zero') || l.synced_qty !== targetQty(l, l.is_cancelled === 1)));
  if (writes.length === 0) return page;
  const under = await subitemsUnder(ctx, writes.map((l) => l.parent_id));
  const own = new Map([...under].map(([id, subs]) => [id, subs.filter((sub) => sub.state !== 'deleted')]));
  // A parent the board did not return is not judged here: its write fails and is reported as such.
  const foreign = writes.filter((l) => own.has(l.parent_id) && !own.get(l.parent_id)?.some((sub) => sub.id === l.monday_subitem_id));
  if (foreign.length === 0) return page;
  // The order's item may already have a subitem of that size no line holds: the line takes it.
  const sizeOf = (l: LineRow) => subitemsBySize(own.get(l.parent_id) ?? [], ctx.subitemColumns.size).get(l.size);
  const bySize = (l: LineRow) => sizeOf(l)?.id;
  const offered = foreign.map(bySize).filter((id): id is string => id !== undefined);
  const held = new Set(
    offered.length === 0 ? [] : (await ctx.db.kysely.selectFrom('order_lines').select('monday_subitem_id').where('monday_subitem_id', 'in', offered).execute()).map((r) => r.monday_subitem_id),
  );
  const now = ctx.now();
  const dropped = new Set<number>();
  const replacement = new Map<number, string | null>();
  // A taken subitem's quantity is what the board shows: the write (and its journal's "before") start from it.
  const takenQty = new Map<number, number | null>();
  await ctx.db.kysely.transaction().execute(async (trx) => {
    for (const l of foreign) {
      const removal = l.action === 'DELETE' && policy !== 'zero';
      if (removal) {
        await dropDetached(trx, l.id);
        dropped.add(l.id);
        continue;
      }
      const free = bySize(l);
      const take = free !== undefined && !held.has(free) ? free : null;
      if (take) held.add(take);
      replacement.set(l.id, take);
      const shown = take ? columnNumber(sizeOf(l) as MondayItem, ctx.subitemColumns.qty) : null;
      takenQty.set(l.id, shown);
      await detachSubitem(trx, l.id, take, shown, now);
    }
    const events = foreign.map((l) => ({
      order_key: l.order_key,
      size: l.size,
      operation: 'detach_subitem' as const,
      outcome: 'SKIPPED' as const,
      board_id: ctx.subitemsBoard.board_id,
      monday_id: l.monday_subitem_id,
      // What rollback puts back on the row: the detach sent nothing, so undoing it is a row write only.
      before: { subitem_id: l.monday_subitem_id, parent_id: l.parent_id, synced_qty: l.synced_qty },
      after: {
        reason: `subitem ${l.monday_subitem_id} is not under item ${l.parent_id}: left untouched`,
        next: dropped.has(l.id) ? 'line dropped (nothing of this order to remove)' : replacement.get(l.id) ? `uses subitem ${replacement.get(l.id)} of that size under its item` : 'a new subitem is created',
      },
    }));
    await journal(trx, ctx.runId, events, now);
  });
  ctx.counts.subitems_detached += foreign.length;
  return page.filter((l) => !dropped.has(l.id)).map((l) => (replacement.has(l.id) ? { ...l, monday_subitem_id: replacement.get(l.id) ?? null, synced_qty: takenQty.get(l.id) ?? null } : l));
}

async function markSettled(ctx: SyncContext, rows: LineRow[]): Promise<void> {
  if (rows.length === 0) return;
  await markLinesUnchanged(ctx.db.kysely, rows.map((r) => r.id), ctx.runId, ctx.now());
  ctx.counts.subitems_unchanged += rows.length;
}
