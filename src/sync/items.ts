import { markOrdersUnchanged } from '../queue/index.js';
import type { Stop } from './applier.js';
import { applyDecisions } from './batches.js';
import type { SyncContext } from './context.js';
import { desiredGroup, ORDER_COLUMNS, type OrderRow } from './desired.js';
import { ensureGroups } from './groups.js';
import { planItem } from './plan-items.js';

const PAGE = 500;

/** Pending orders in id order, each visited at most once per run (keyset on id). */
async function* pendingOrders(ctx: SyncContext): AsyncGenerator<OrderRow[]> {
  let after = 0;
  let budget = ctx.scope.limit ?? Number.POSITIVE_INFINITY;
  while (budget > 0) {
    let q = ctx.db.kysely
      .selectFrom('orders')
      .select(ORDER_COLUMNS)
      .where('sync_state', '=', 'PENDING')
      .where('action', 'in', ['INSERT', 'UPDATE', 'CANCEL', 'ARCHIVE'])
      .where('id', '>', after)
      .orderBy('id')
      .limit(Math.min(PAGE, budget));
    if (ctx.scope.customer !== undefined) q = q.where('customer', '=', ctx.scope.customer);
    const rows = await q.execute();
    if (rows.length === 0) return;
    after = rows[rows.length - 1]?.id ?? after;
    budget -= rows.length;
    yield rows;
  }
}

export async function countPendingOrders(ctx: SyncContext): Promise<number> {
  let q = ctx.db.kysely
    .selectFrom('orders')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('sync_state', '=', 'PENDING')
    .where('action', 'in', ['INSERT', 'UPDATE', 'CANCEL', 'ARCHIVE']);
  if (ctx.scope.customer !== undefined) q = q.where('customer', '=', ctx.scope.customer);
  const n = Number((await q.executeTakeFirst())?.n ?? 0);
  return Math.min(n, ctx.scope.limit ?? n);
}

/** The items phase: pending orders a page at a time, their groups, then the planner's units through the applier. */
export async function syncItems(ctx: SyncContext): Promise<Stop | undefined> {
  const total = await countPendingOrders(ctx);
  const progress = { done: 0, total };
  ctx.progress('items', 0, total);
  for await (const page of pendingOrders(ctx)) {
    const groups = await ensureGroups(
      ctx,
      page.filter((o) => o.action !== 'ARCHIVE').map((o) => desiredGroup(ctx, o)),
    );
    const stop = await applyDecisions(ctx, 'items', page.map((o) => ({ row: o, decision: planItem(ctx, o, groups) })), (rows) => markUnchanged(ctx, rows), progress);
    if (stop) return stop;
  }
  return undefined;
}

async function markUnchanged(ctx: SyncContext, rows: OrderRow[]): Promise<void> {
  if (rows.length === 0) return;
  await markOrdersUnchanged(ctx.db.kysely, rows.map((r) => r.id), ctx.runId, ctx.now());
  ctx.counts.items_unchanged += rows.length;
}
