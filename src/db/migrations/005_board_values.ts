import { sql, type Kysely } from 'kysely';
import type { MigrationContext } from './index.js';

/** The view's name follows the orders table's, so two environments' tables in one schema keep apart. */
export function boardValuesView(ctx: Pick<MigrationContext, 'tables'>): string {
  return `${ctx.tables.orders}_board_values`;
}

/**
 * Planners' values read back from the board (board-owned columns and `[mapping.read_back]`):
 * one JSON document per order, `name → board text`, with the time it was read, and a view with
 * one row per order and name, so SQL, Power BI and reports read them without JSON functions.
 */
export function boardValues(ctx: MigrationContext) {
  const view = boardValuesView(ctx);
  return {
    async up(db: Kysely<any>) {
      await db.schema.alterTable('orders').addColumn('board_values_json', 'text').execute();
      await db.schema.alterTable('orders').addColumn('board_values_at', 'text').execute();
      const each = ctx.dialect === 'sqlite' ? sql`json_each(o.board_values_json)` : sql`jsonb_each_text(o.board_values_json::jsonb)`;
      await db.schema
        .createView(view)
        .as(
          db
            .selectFrom(['orders as o', each.as('j')])
            .select([sql<number>`o.id`.as('order_id'), sql<string>`o.order_key`.as('order_key'), sql<string>`o.customer`.as('customer'), sql<string>`j.key`.as('name'), sql<string>`j.value`.as('value'), sql<string>`o.board_values_at`.as('read_at')])
            .where(sql`o.board_values_json`, 'is not', null),
        )
        .execute();
    },
    async down(db: Kysely<any>) {
      await db.schema.dropView(view).execute();
      await db.schema.alterTable('orders').dropColumn('board_values_at').execute();
      await db.schema.alterTable('orders').dropColumn('board_values_json').execute();
    },
  };
}
