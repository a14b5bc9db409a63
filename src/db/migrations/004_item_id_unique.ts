import { sql, type Kysely } from 'kysely';
import { OrdersyncError } from '../../errors.js';
import { dialectAdapter } from '../dialects/index.js';
import type { MigrationContext } from './index.js';

/**
 * One board item belongs to one order: two orders holding the same monday_item_id would
 * write each other's item (and one order's item would be orphaned). The database refuses it.
 * NULLs (orders not on the board yet) are many: the adapter keeps them out of the index where
 * the engine would count them (SQL Server).
 */
export function itemIdUnique({ dialect, tables }: MigrationContext) {
  const name = `${tables.orders}_monday_item_uq`;
  const adapter = dialectAdapter(dialect);
  return {
    async up(db: Kysely<any>) {
      const shared = await db
        .selectFrom('orders')
        .select(['monday_item_id', sql<string>`min(order_key)`.as('a'), sql<string>`max(order_key)`.as('b'), sql<number>`count(*)`.as('n')])
        .where('monday_item_id', 'is not', null)
        .groupBy('monday_item_id')
        .having(sql`count(*)`, '>', 1)
        .limit(10)
        .execute();
      if (shared.length > 0) {
        throw new OrdersyncError(
          `orders share board items, which the unique index on monday_item_id refuses: ${shared.map((r) => `item ${r.monday_item_id} held by ${Number(r.n)} orders ("${r.a}" … "${r.b}")`).join('; ')}. Clear monday_item_id on the orders that do not own the item (the next run adopts or creates their own) and migrate again`,
        );
      }
      await adapter.uniqueAllowingNulls(db.schema.createIndex(name).on('orders').column('monday_item_id').unique(), 'monday_item_id').execute();
    },
    async down(db: Kysely<any>) {
      await adapter.dropIndex(db.schema.dropIndex(name), 'orders').execute();
    },
  };
}
