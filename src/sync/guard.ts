import { OrdersyncError } from '../errors.js';
import type { SyncContext } from './context.js';

export class BlastRadiusError extends OrdersyncError {}

/**
 * SPEC §4: a run that would cancel, archive or delete more than the configured share or
 * number of orders stops before writing anything (an upstream bug marking everything
 * cancelled, or an empty staging table, looks exactly like this).
 */
export async function checkBlastRadius(ctx: SyncContext): Promise<{ destructive: number; onBoard: number }> {
  const db = ctx.db.kysely;
  const destructiveOrders = await db
    .selectFrom('orders')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('sync_state', '=', 'PENDING')
    .where('action', 'in', ['CANCEL', 'ARCHIVE'])
    .where('monday_item_id', 'is not', null)
    .executeTakeFirst();
  let destructive = Number(destructiveOrders?.n ?? 0);
  if (ctx.s.mapping.line_delete_policy !== 'zero') {
    const removing = await db
      .selectFrom('order_lines')
      .select((eb) => eb.fn.count<number>('order_id').distinct().as('n'))
      .where('sync_state', '=', 'PENDING')
      .where('action', '=', 'DELETE')
      .where('monday_subitem_id', 'is not', null)
      .executeTakeFirst();
    destructive += Number(removing?.n ?? 0);
  }
  const board = await db
    .selectFrom('orders')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('monday_item_id', 'is not', null)
    .executeTakeFirst();
  const onBoard = Number(board?.n ?? 0);
  const { max_count, max_share } = ctx.s.cancel;
  const share = onBoard === 0 ? 0 : destructive / onBoard;
  if (!ctx.allowMassChange && (destructive > max_count || share > max_share)) {
    throw new BlastRadiusError(
      `blast radius: this run would cancel, archive or remove ${destructive} of ${onBoard} orders on the board ` +
        `(${(share * 100).toFixed(1)}%; limits: ${max_count} orders, ${(max_share * 100).toFixed(0)}% — [cancel] max_count / max_share). ` +
        'Nothing was written. Check the staging data; if the change is intended, rerun with --allow-mass-change.',
    );
  }
  return { destructive, onBoard };
}
