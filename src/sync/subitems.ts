import type { JournalOperation, LineAction } from '../db/types.js';
import { jobIdOf, type MutationData, type MutationOp } from '../monday/batch.js';
import { formatColumnValues } from '../monday/values.js';
import type { MondayItem } from '../monday/client.js';
import { columnNumber, keyColumns, subitemsBySize, targetQty } from './board-match.js';
import { detachSubitem, dropDetached, markLinesUnchanged } from '../queue/effects.js';
import type { RowFailure } from '../queue/flight.js';
import { journal } from '../queue/journal.js';
import type { PlanContext, SyncContext } from './context.js';
import { failureOf } from './failures.js';
import { labelPolicy } from './items.js';
import { recordFailures, sendUnits, type FailedRow, type Unit } from './send.js';

const PAGE = 1000;
const LOOKUP_CHUNK = 100;

export interface LineRow {
  id: number;
  order_id: number;
  size: string;
  size_position: number;
  qty: number;
  synced_qty: number | null;
  action: LineAction;
  monday_subitem_id: string | null;
  retry_count: number;
  order_key: string;
  parent_id: string;
  is_cancelled: number;
}

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

export async function syncSubitems(ctx: SyncContext): Promise<void> {
  const counted = await pendingLinesQuery(ctx).select((eb) => eb.fn.countAll().as('n')).executeTakeFirst();
  const total = Number(counted?.n ?? 0);
  let done = 0;
  ctx.progress('subitems', done, total);
  for await (const fetched of pendingLines(ctx)) {
    const page = await detachForeign(ctx, fetched);
    // Lines set aside here (and those needing no request) are done as far as this run goes.
    done += fetched.length - page.length;
    const units: Unit[] = [];
    const local: Array<{ unit: FailedRow; failure: RowFailure }> = [];
    const settled: LineRow[] = [];
    for (const l of page) {
      const built = buildUnit(ctx, l);
      if (built === undefined) settled.push(l);
      else if ('failure' in built) local.push(built);
      else units.push(built);
    }
    await recordFailures(ctx, local.map((x) => x.unit), (i) => (local[i] as { failure: RowFailure }).failure);
    await markSettled(ctx, settled);
    done += local.length + settled.length;
    for (let i = 0; i < units.length; i += ctx.client.batchSize) {
      await sendUnits(ctx, units.slice(i, i + ctx.client.batchSize));
      done += Math.min(ctx.client.batchSize, units.length - i);
      ctx.progress('subitems', done, total);
    }
    ctx.progress('subitems', done, total);
  }
}

/** The planner's decision for one pending line: its request, nothing to send (undefined), or why it fails before any request. */
export function buildUnit(ctx: PlanContext, l: LineRow): Unit | { unit: FailedRow; failure: RowFailure } | undefined {
  const board = ctx.subitemsBoard.board_id;
  const m = ctx.s.mapping;
  const target = targetQty(l, l.is_cancelled === 1);
  const base = { table: 'order_lines' as const, id: l.id, orderKey: l.order_key, retryCount: l.retry_count, size: l.size, mondayId: l.monday_subitem_id };
  const removal = l.action === 'DELETE' && m.line_delete_policy !== 'zero' && l.monday_subitem_id !== null;

  if (removal) {
    const subitemId = l.monday_subitem_id as string;
    const remove = m.line_delete_policy === 'delete';
    return {
      ...base,
      operation: remove ? 'delete_subitem' : 'archive_subitem',
      // Archived through a job, so rollback can bring the subitem back with undo_action.
      ops: [remove ? { kind: 'delete_item', item_id: subitemId } : { kind: 'bulk_archive_items', board_id: board, item_ids: [subitemId] }],
      success: ([data]) => ({
        effect: { kind: 'subitem_removed', id: l.id },
        count: 'subitems_removed',
        events: [{ order_key: l.order_key, size: l.size, operation: remove ? 'delete_subitem' : 'archive_subitem', outcome: 'OK', board_id: board, monday_id: subitemId, before: { qty: l.synced_qty, state: 'active', parent_id: l.parent_id, size_position: l.size_position }, after: remove ? { state: 'deleted' } : { state: 'archived', job_id: jobIdOf(data) } }],
      }),
    };
  }
  if (l.monday_subitem_id !== null && l.synced_qty === target) return undefined;

  const { size, qty } = ctx.subitemColumns;
  const sources: Record<string, unknown> = { [qty]: target };
  if (l.monday_subitem_id === null) sources[size] = l.size;
  const formatted = formatColumnValues(ctx.subitemsBoard, sources, { longTextOverflow: ctx.s.mapping.long_text_overflow });
  const operation: JournalOperation = l.monday_subitem_id === null ? 'create_subitem' : target === 0 ? 'zero_subitem' : 'update_subitem';
  const fail = (err: unknown) => ({ unit: { ...base, operation }, failure: failureOf(err) });
  if (!formatted.ok) return fail(formatted.errors[0]);
  const labels = labelPolicy(ctx, formatted.values, ctx.subitemsBoard);
  if (labels instanceof Error) return fail(labels);

  const op: MutationOp =
    l.monday_subitem_id === null
      ? { kind: 'create_subitem', parent_item_id: l.parent_id, item_name: m.subitem_name.replaceAll('{size}', l.size), column_values: formatted.values, create_labels_if_missing: labels }
      : { kind: 'change_multiple_column_values', board_id: board, item_id: l.monday_subitem_id, column_values: formatted.values, create_labels_if_missing: labels };
  return {
    ...base,
    operation,
    ops: [op],
    success: ([data]) => {
      const id = l.monday_subitem_id ?? (data as MutationData).id;
      return {
        effect: { kind: 'subitem_synced', id: l.id, monday_subitem_id: id, synced_qty: target },
        count: operation === 'create_subitem' ? 'subitems_created' : operation === 'zero_subitem' ? 'subitems_zeroed' : 'subitems_updated',
        events: [{ order_key: l.order_key, size: l.size, operation, outcome: 'OK', board_id: board, monday_id: id, before: l.monday_subitem_id ? { qty: l.synced_qty } : null, after: { qty: target, parent_id: l.parent_id } }],
      };
    },
  };
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
  const parents = [...new Set(writes.map((l) => l.parent_id))];
  const own = new Map<string, MondayItem[]>();
  for (let i = 0; i < parents.length; i += LOOKUP_CHUNK) {
    const items = await ctx.client.itemsByIds(parents.slice(i, i + LOOKUP_CHUNK), {
      columnIds: keyColumns(ctx.boardKey),
      withSubitems: true,
      subitemColumnIds: [ctx.subitemColumns.size, ctx.subitemColumns.qty],
    });
    for (const it of items) own.set(it.id, (it.subitems ?? []).filter((sub) => sub.state !== 'deleted'));
  }
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
